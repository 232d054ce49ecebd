"""The issue's "done means", as the demo lead would do it, through the pages."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from commonpot.models import Site, User
from pantry import services
from pantry.freshness import DateRules
from pantry.models import Lot, StockMove
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_lead_runs_a_day_of_the_pantry_and_every_lot_adds_up():
    call_command("seed_demo")
    site = Site.objects.get(slug="riverside-kitchen")
    lead = client_for(User.objects.get(username="lead"))
    slug = site.slug
    next_month = (site.today() + timedelta(days=30)).isoformat()

    # A donation in kg and lb.
    response = lead.post(
        reverse("pantry:donation_new", args=[slug]),
        {
            "token": str(uuid.uuid4()),
            "donor": "",
            "received_on": site.today().isoformat(),
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": "Red lentils",
            "lines-0-quantity": "10",
            "lines-0-unit": "kg",
            "lines-0-best_before": next_month,
            "lines-0-date_kind": "best_before",
            "lines-1-item": "Apples",
            "lines-1-quantity": "11",
            "lines-1-unit": "lb",
            "lines-1-best_before": next_month,
            "lines-1-date_kind": "best_before",
        },
    )
    assert response.status_code == 302

    # It is on the stock page, with weights and dates.
    page = lead.get(reverse("pantry:stock", args=[slug]), {"q": "lentils"}).content.decode()
    assert "15 kg" in page  # the 5 kg of the demo and the 10 kg just given
    page = lead.get(reverse("pantry:stock", args=[slug]), {"q": "apples"}).content.decode()
    assert "8.99 kg" in page  # 4 kg of the demo and 11 lb (4.99 kg)

    # Some goes out, first expiring first.
    response = lead.post(
        reverse("pantry:distribution_new", args=[slug]),
        {
            "token": str(uuid.uuid4()),
            "recipient": "households",
            "households": "4",
            "people": "11",
            "given_on": site.today().isoformat(),
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": "Red lentils",
            "lines-0-quantity": "6",
            "lines-0-unit": "kg",
        },
    )
    assert response.status_code == 302

    # An expired lot goes to compost.
    expired = Lot.objects.at(site).in_stock().past_use(DateRules.for_site(site)).first()
    lead.post(
        reverse("pantry:lot_discard", args=[slug, expired.pk]),
        {"reason": "expired", "destination": "compost"},
    )
    expired.refresh_from_db()
    assert expired.on_hand == 0

    # One shelf is counted: only its counted lot changes.
    chilled = list(Lot.objects.at(site).in_stock().filter(storage="chilled").order_by("pk"))
    counted, untouched = chilled[0], chilled[1]
    before = untouched.on_hand
    lead.post(
        reverse("pantry:count_area", args=[slug, "chilled"]),
        {"token": str(uuid.uuid4()), f"lot_{counted.pk}": "0", f"unit_{counted.pk}": "kg"},
    )
    untouched.refresh_from_db()
    assert untouched.on_hand == before
    assert StockMove.objects.filter(kind="counted", lot=counted).exists()

    for lot in Lot.objects.all():
        assert services.ledger_is_consistent(lot), lot
    for lot in Lot.objects.at(site):
        page = lead.get(reverse("pantry:lot", args=[slug, lot.pk])).content.decode()
        assert "which is what is on hand" in page

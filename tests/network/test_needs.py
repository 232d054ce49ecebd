"""Posting and closing needs, and the one-step need other apps post."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commonpot.errors import DomainError
from pantry.network import services
from pantry.network.models import Need
from tests.network.factories import need

pytestmark = pytest.mark.django_db


def test_a_need_for_an_item_is_kept_in_the_items_unit(site, lead, item_bread):
    n = services.post_need(
        site=site, by=lead, item=item_bread, quantity="2.2", unit="lb", needed_by=site.today()
    )
    assert (n.quantity, n.category, n.outstanding_display) == (
        Decimal("997.903"),
        "grains_bread",
        "997.903 g",
    )


def test_a_need_is_for_an_item_or_a_category_not_both_nor_neither(site, lead, item_bread):
    for kwargs in ({}, {"item": item_bread, "category": "produce"}):
        with pytest.raises(DomainError, match="one item, or a whole category"):
            services.post_need(site=site, by=lead, quantity="1", needed_by=site.today(), **kwargs)
    assert not Need.objects.exists()


def test_a_need_by_a_date_already_past_is_refused(site, lead):
    with pytest.raises(DomainError, match="already passed") as e:
        need(site, by=lead, category="produce", days=-1)
    assert e.value.field == "needed_by"


def test_only_the_sites_leads_post_its_needs(site, other_lead, volunteer):
    for person in (other_lead, volunteer):
        with pytest.raises(DomainError, match="Only leads of Riverside Kitchen"):
            need(site, by=person, category="produce")
    assert not Need.objects.exists()


def test_a_meals_shortfall_becomes_one_need_however_often_it_is_posted(site, lead, item_bread):
    """The kitchen's one step: post_need with the meal as reference."""
    first = services.post_need(
        site=site,
        by=lead,
        item=item_bread,
        quantity=Decimal("3000"),
        needed_by=site.today() + timedelta(days=2),
        reference="meal-service:42",
        note="Lunch for 80",
    )
    again = services.post_need(
        site=site,
        by=lead,
        item=item_bread,
        quantity=Decimal("4500"),
        needed_by=site.today() + timedelta(days=2),
        reference="meal-service:42",
    )
    assert first.pk == again.pk and Need.objects.get().quantity == 4500


def test_a_need_closes_at_the_end_of_its_day_and_the_schedule_marks_it(site, lead):
    n = need(site, by=lead, category="produce", days=0)
    assert site.local(n.closes_at).date() == site.today() + timedelta(days=1)
    later = n.closes_at + timedelta(minutes=1)
    assert not Need.objects.open(later).exists()
    assert services.close_lapsed(later)["needs"] == 1
    n.refresh_from_db()
    assert n.status == Need.Status.EXPIRED


def test_a_lead_closes_their_need_as_met(site, lead, other_lead):
    n = need(site, by=lead, category="produce")
    with pytest.raises(DomainError):
        services.close_need(need_id=n.pk, by=other_lead)
    services.close_need(need_id=n.pk, by=lead)
    n.refresh_from_db()
    assert n.status == Need.Status.MET and n.closed_at <= timezone.now()

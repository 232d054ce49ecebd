"""A form sent again: the same entry written differently is a replay, a change is refused.

The donation and distribution forms have their own tests beside them; here the
fingerprint itself, records from before it was kept, and a form without a page
of its own (a count).
"""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.idempotency import AlreadySent, already_recorded, fingerprint
from pantry import services
from pantry.models import StockCount
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_quantity_typed_as_2_2point0_or_a_decimal_is_one_fingerprint():
    prints = {
        fingerprint({"quantity": q, "on": date(2026, 5, 1)})
        for q in ["2", "2.0", " 2.00 ", Decimal("2.000"), 2]
    }
    assert len(prints) == 1
    assert fingerprint({"quantity": "2"}) != fingerprint({"quantity": "3"})
    assert fingerprint({"lines": [1, 2]}) != fingerprint({"lines": [2, 1]})


def test_a_record_made_before_fingerprints_were_kept_answers_a_replay_as_before(site, lead, stock):
    token = uuid.uuid4()
    lot = stock["soon"]
    count = services.record_count(
        site=site, storage=lot.storage, counted={lot.pk: "2000"}, by=lead, token=token
    )
    StockCount.objects.filter(pk=count.pk).update(token_digest="")
    content = {"storage": lot.storage, "counted": {lot.pk: "1500"}}
    assert already_recorded(StockCount, token, site, content=content) == count


def test_a_count_sent_again_with_other_figures_goes_to_the_counts_with_a_warning(site, lead, stock):
    token = uuid.uuid4()
    lot = stock["soon"]
    services.record_count(
        site=site, storage=lot.storage, counted={lot.pk: "1800"}, by=lead, token=token
    )
    with pytest.raises(AlreadySent):
        services.record_count(
            site=site, storage=lot.storage, counted={lot.pk: "1500"}, by=lead, token=token
        )
    url = reverse("pantry:counts", args=[site.slug])
    assert StockCount.objects.get().get_absolute_url() == url
    client = client_for(lead)
    response = client.post(
        reverse("pantry:count_area", args=[site.slug, lot.storage]),
        {"token": str(token), f"lot_{lot.pk}": "1.5", f"unit_{lot.pk}": "kg"},
    )
    assert response.status_code == 302 and response["Location"] == url
    lot.refresh_from_db()
    assert lot.on_hand == 1800 and StockCount.objects.count() == 1

"""Food moving between a metric site and a site in US measures: each reads its own."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from pantry.models import Lot, Measures, PantrySettings
from pantry.network import services
from pantry.network.models import Transfer
from tests.conftest import client_for
from tests.network.factories import offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(site, other_site, lead, other_lead, bread_lot):
    """40 kg of bread from Riverside (metric) on its way to Eastside (US measures)."""
    PantrySettings.objects.filter(site=other_site).update(measures=Measures.US)
    o = offer(site, bread_lot, by=lead)
    transfer = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    services.accept_transfer(transfer_id=transfer.pk, by=lead)
    return services.dispatch_transfer(transfer_id=transfer.pk, by=lead)


def test_the_manifest_is_printed_in_the_source_sites_measures_whoever_asks(dispatched, other_lead):
    response = client_for(other_lead).get(
        reverse("network:transfer_manifest", args=[dispatched.pk])
    )
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert "40 kg" in text and " lb" not in text


def test_the_us_site_receives_in_pounds_and_the_form_sent_unchanged_takes_it_all(
    dispatched, other_lead, other_site
):
    client = client_for(other_lead)
    url = reverse("network:transfer_receive", args=[dispatched.pk])
    form = client.get(url).content.decode()
    assert "88.18 lb dispatched" in form
    (line,) = dispatched.lines.all()
    # 40 kg is 88.18490487... lb: the form holds as many decimals as it takes.
    value = re.search(rf'name="line_{line.pk}" value="([^"]+)"', form).group(1)
    assert value.startswith("88.1849")
    response = client.post(url, {f"line_{line.pk}": value, f"line_{line.pk}_unit": "lb"})
    assert response.status_code == 302
    assert Lot.objects.get(site=other_site).on_hand == Decimal("40000")
    dispatched.refresh_from_db()
    assert dispatched.status == Transfer.Status.RECEIVED

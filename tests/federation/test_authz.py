"""Every partner-network URL x every actor -> the expected status.

The partner takes part with the lead's site only: the other lead's site does
not, so the other lead can look at a partner's offer but not claim it, and sees
none of the lead's transfers with the partner."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pantry.federation.models import Partner, PartnerOffer, PartnerTransfer, PartnerTransferLine
from pantry.network.models import Offer
from tests.authz import Row, check_matrix, everyone
from tests.network.factories import bread, offer, stock

pytestmark = pytest.mark.django_db


def coordinator_only(status=200):
    return everyone(403, coordinator=status, anonymous=302)


def network(status=200, **overrides):
    base = everyone(403, coordinator=status, lead=status, other_lead=status, anonymous=302)
    base.update(overrides)
    return base


def parties(status=200):
    """The lead of the site on our side of the transfer, and coordinators."""
    return network(status, other_lead=403)


ROWS = [
    # What partner installs call: open to anyone, refused without a valid signature.
    Row("GET", "federation:actor", expect=everyone(200)),
    Row("GET", "federation:context", expect=everyone(200)),
    Row("POST", "federation:pair", expect=everyone(400)),
    Row("POST", "federation:inbox", expect=everyone(401)),
    # Pairing and what is shared: coordinators.
    Row("GET", "federation:partners", expect=coordinator_only()),
    Row("POST", "federation:invite", expect=coordinator_only()),
    Row("POST", "federation:accept", expect=coordinator_only(400)),
    Row("GET", "federation:partner", {"pk": "partner"}, expect=coordinator_only()),
    Row("POST", "federation:partner_status", {"pk": "partner"}, expect=coordinator_only(302)),
    Row("POST", "federation:partner_send", {"pk": "partner"}, expect=coordinator_only(302)),
    # A partner's offer: any lead may look; claiming is for sites taking part.
    Row("GET", "federation:partner_offer", {"pk": "partner_offer"}, expect=network()),
    Row("POST", "federation:claim", {"pk": "partner_offer"}, expect=network(400, other_lead=403)),
    # Transfers across the link: our side's lead and coordinators.
    Row("GET", "federation:transfer", {"pk": "incoming"}, expect=parties()),
    Row("POST", "federation:transfer_dispatch", {"pk": "outgoing"}, expect=parties(302)),
    Row("POST", "federation:transfer_receive", {"pk": "incoming"}, expect=parties(400)),
    Row("POST", "federation:transfer_cancel", {"pk": "incoming"}, expect=parties(400)),
    # Last: saving an empty choice takes the lead's site out of the link.
    Row("POST", "federation:partner", {"pk": "partner"}, expect=coordinator_only(302)),
]


@pytest.fixture
def federation_names(site, lead):
    item_bread = bread()
    # A partner nobody can reach (the discard port): what is sent waits in the outbox.
    partner = Partner.objects.create(
        name="Harbour Network",
        url="http://127.0.0.1:9",
        key_id="http://127.0.0.1:9/federation/actor#key",
        public_key_pem="",
    )
    partner.sites.set([site])
    later = timezone.now() + timedelta(days=1)
    theirs = PartnerOffer.objects.create(
        partner=partner,
        uri="http://127.0.0.1:9/federation/offers/1",
        version=1,
        site_name="Harbour Pantry",
        item_name="Apples",
        category="produce",
        base_unit="g",
        quantity=Decimal("5000"),
        closes_at=later,
        pickup_from=timezone.now(),
        pickup_until=later,
        status=Offer.Status.OPEN,
    )
    incoming = PartnerTransfer.objects.create(
        partner=partner,
        direction=PartnerTransfer.Direction.IN,
        site=site,
        partner_site_name="Harbour Pantry",
        partner_offer=theirs,
        item_name="Apples",
        base_unit="g",
        category="produce",
        quantity=Decimal("5000"),
        status=PartnerTransfer.Status.DISPATCHED,
    )
    PartnerTransferLine.objects.create(transfer=incoming, quantity=Decimal("5000"))
    ours = offer(site, stock(site, item_bread, "20000", by=lead), "10000", by=lead)
    outgoing = PartnerTransfer.objects.create(
        partner=partner,
        direction=PartnerTransfer.Direction.OUT,
        site=site,
        partner_site_name="Harbour Pantry",
        offer=ours,
        item=item_bread,
        item_name=item_bread.name,
        base_unit=item_bread.base_unit,
        category=item_bread.category,
        quantity=Decimal("10000"),
        status=PartnerTransfer.Status.ACCEPTED,
    )
    from pantry.network.services.common import move_holds

    move_holds(
        site=site,
        item=item_bread,
        from_ref=ours.reference,
        to_ref=outgoing.reference,
        quantity=Decimal("10000"),
        by=lead,
    )
    return {
        "partner": partner.pk,
        "partner_offer": theirs.pk,
        "incoming": incoming.pk,
        "outgoing": outgoing.pk,
    }


@pytest.mark.slow
def test_every_partner_network_url_answers_each_actor_as_expected(actors, federation_names):
    def resolve(kwargs):
        return {name: federation_names[value] for name, value in kwargs.items()}

    check_matrix(ROWS, actors, resolve)

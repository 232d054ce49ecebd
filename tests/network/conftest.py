"""Network fixtures: two sites with coordinates, bread at the lead's site."""

from datetime import timedelta
from decimal import Decimal

import pytest

from pantry.network import services
from pantry.network.services import runs
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.network.factories import bread, offer, stock, tomorrow_at


@pytest.fixture(autouse=True)
def _network_clock_at_noon(noon):
    """Every network test has two sites, London and New York, whose dates differ
    between midnight and 05:00 UTC: a need "in four days" in New York is then the
    same day as food "good for three more days" in London. The tests mean days at
    both sites alike, so the clock stands at noon UTC for all of them."""
    return noon


@pytest.fixture
def item_bread(db):
    return bread()


@pytest.fixture
def mapped(site, other_site):
    """Both test sites placed on the map, about 10 km apart, with cold storage."""
    site.latitude, site.longitude = Decimal("51.45000"), Decimal("-2.60000")
    other_site.latitude, other_site.longitude = Decimal("51.50000"), Decimal("-2.50000")
    for s in (site, other_site):
        s.save()
        s.pantry_settings.has_chilled_storage = True
        s.pantry_settings.save()
    return site, other_site


@pytest.fixture
def bread_lot(site, lead, item_bread, mapped):
    """40 kg of bread at the lead's site, good for two more days."""
    return stock(site, item_bread, "40000", by=lead)


# --- Pickup runs: a bakery that offers bread, and a van's day -----------------


@pytest.fixture
def bakery(db):
    site = SiteFactory(name="Harbour Bakery", slug="harbour-bakery", time_zone="Europe/London")
    site.latitude, site.longitude = Decimal("51.46000"), Decimal("-2.58000")
    site.save()
    return site


@pytest.fixture
def baker(bakery):
    user = UserFactory(username="bea", display_name="Bea Baker")
    MembershipFactory(user=user, site=bakery, role="lead")
    return user


@pytest.fixture
def claimed(bakery, baker, site, other_site, lead, other_lead, item_bread, mapped):
    """40 kg of bread offered by the bakery: 30 kg claimed by Riverside, 10 kg by
    Eastside, both accepted (held)."""
    lot = stock(bakery, item_bread, "40000", by=baker)
    o = offer(bakery, lot, by=baker)
    first = services.claim_offer(offer_id=o.pk, site=site, by=lead, quantity=Decimal("30000"))
    second = services.claim_offer(
        offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal("10000")
    )
    for t in (first, second):
        services.accept_transfer(transfer_id=t.pk, by=baker)
    return o, first, second


@pytest.fixture
def run(site, coordinator, mapped):
    """A van's day tomorrow from the lead's site, 08:00 to 14:00, 500 kg (100 chilled)."""
    return runs.plan_run(
        site=site,
        by=coordinator,
        day=site.today() + timedelta(days=1),
        starts_at=tomorrow_at(site, 8),
        ends_at=tomorrow_at(site, 14),
        capacity_kg="500",
        chilled_kg="100",
    )

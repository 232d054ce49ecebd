"""Network fixtures: two sites with coordinates, bread at the lead's site."""

from decimal import Decimal

import pytest

from tests.network.factories import bread, stock


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

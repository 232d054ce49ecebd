"""Fixtures of partner-network tests: a partner install played in-process."""

import pytest

from tests.federation.fake_partner import make_fake_partner


@pytest.fixture
def fake_partner(db):
    """Harbour Food Network at http://partner.example, active, with its own key;
    none of our sites take part yet."""
    return make_fake_partner()


@pytest.fixture
def fake_partner_with_riverside(fake_partner, site):
    """The fake partner, with our Riverside Kitchen taking part (every category)."""
    fake_partner.row.sites.add(site)
    return fake_partner

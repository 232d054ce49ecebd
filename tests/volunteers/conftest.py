"""Fixtures for the volunteers tests: a shift at the lead's site, more volunteers."""

import pytest

from commonpot.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory


@pytest.fixture
def cook(site):
    return ShiftRoleFactory(site=site, name="Cook")


@pytest.fixture
def shift(site, cook):
    """Three days ahead at the lead's site: 2 to 4 people."""
    return ShiftFactory(site=site, role=cook)


@pytest.fixture
def other_shift(other_site):
    return ShiftFactory(site=other_site, role__name="Driver")


@pytest.fixture
def make_volunteer(site):
    """More volunteers at `site`: make_volunteer("Amira Haddad")."""

    def make(name: str = "", **kwargs):
        user = UserFactory(**({"display_name": name} if name else {}), **kwargs)
        MembershipFactory(user=user, site=site, role=Membership.Role.VOLUNTEER)
        return user

    return make

"""A person leaves a site: refused while they are down for its coming shifts, or
as its only lead; otherwise their membership goes and nothing else."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.volunteers.factories import ShiftFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def leave(user, site):
    return client_for(user).post(reverse("site_leave", args=[site.slug]))


def test_a_volunteer_leaves_a_site_from_their_profile(site, volunteer):
    page = client_for(volunteer).get(reverse("profile")).content.decode()
    assert reverse("site_leave", args=[site.slug]) in page
    response = leave(volunteer, site)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=volunteer, site=site).exists()


def test_leaving_while_down_for_a_coming_shift_is_refused_with_the_reason(site, volunteer):
    soon = timezone.now() + timedelta(days=2)
    shift = ShiftFactory(site=site, starts_at=soon, ends_at=soon + timedelta(hours=2))
    SignUpFactory(shift=shift, volunteer=volunteer)
    response = leave(volunteer, site)
    assert response.status_code == 409
    assert "still down for 1 shift coming up" in response.content.decode()
    assert Membership.objects.filter(user=volunteer, site=site).exists()


def test_the_only_lead_cannot_leave_but_one_of_two_can(site, lead):
    response = leave(lead, site)
    assert response.status_code == 409
    assert "only lead" in response.content.decode()
    MembershipFactory(site=site, role=Membership.Role.LEAD)
    assert leave(lead, site).status_code == 302
    assert not Membership.objects.filter(user=lead, site=site).exists()


def test_leaving_a_site_one_does_not_belong_to_is_refused(other_site, volunteer):
    response = leave(volunteer, other_site)
    assert response.status_code == 409
    assert "not a member" in response.content.decode()

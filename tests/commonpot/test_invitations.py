"""Invitations by email: a lead invites volunteers, a coordinator leads too; the link
works once, until it expires, and lands a new person on a short account form."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from commonpot import invitations
from commonpot.errors import DomainError
from commonpot.models import Invitation, Membership, Message, User, invitation_digest
from tests.conftest import client_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-kitchen-password"


def invite(by, site, email="sam@example.org", role="volunteer", **kwargs):
    return invitations.invite_to_site(by=by, site=site, email=email, role=role, **kwargs)


def link(invitation) -> str:
    return reverse("invitation", args=[invitation.token])


def accept_as_new(client, invitation, name="Sam Walker"):
    return client.post(
        link(invitation), {"name": name, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


# --- Sending -----------------------------------------------------------------------


def test_a_lead_invites_a_volunteer_and_the_email_carries_a_link_that_is_not_stored(lead, site):
    response = client_for(lead).post(
        reverse("site_invite", args=[site.slug]),
        {"email": "Sam@Example.org", "name": "Sam", "role": "volunteer"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "sam@example.org",
        "volunteer",
        lead,
    )
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    message = Message.objects.get(kind="commonpot.invitation")
    assert message.to_email == "sam@example.org"
    assert "Lena Lead invites you to volunteer at Riverside Kitchen" in message.subject
    token = message.body_text.split("/invitation/")[1].split("/")[0]
    # Only a digest of the secret is kept with the invitation.
    assert invitation.token_digest == invitation_digest(token)
    assert token not in str(Invitation.objects.values().get())
    page = client_for(lead).get(reverse("site_people", args=[site.slug])).content.decode()
    assert "sam@example.org" in page and "Waiting for an answer" in page


def test_a_lead_cannot_invite_someone_as_a_lead(lead, site):
    response = client_for(lead).post(
        reverse("site_invite", args=[site.slug]), {"email": "sam@example.org", "role": "lead"}
    )
    assert response.status_code == 400
    assert "Only network coordinators can invite someone as a lead." in response.content.decode()
    assert not Invitation.objects.exists()
    assert not Message.objects.exists()


def test_a_volunteer_and_another_sites_lead_cannot_invite(volunteer, other_lead, site):
    for person in (volunteer, other_lead):
        response = client_for(person).post(
            reverse("site_invite", args=[site.slug]),
            {"email": "sam@example.org", "role": "volunteer"},
        )
        assert response.status_code == 403
        with pytest.raises(DomainError, match="Only leads of Riverside Kitchen"):
            invite(person, site)
    assert not Invitation.objects.exists()


def test_a_bad_address_is_a_field_error(lead, site):
    response = client_for(lead).post(
        reverse("site_invite", args=[site.slug]), {"email": "not an address", "role": "volunteer"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_someone_already_at_the_site_is_not_invited_again(lead, site, volunteer):
    with pytest.raises(DomainError, match="already belongs to Riverside Kitchen as a volunteer"):
        invite(lead, site, email=volunteer.email)


def test_a_new_invitation_to_the_same_address_replaces_the_old_link(lead, site, client):
    first = invite(lead, site)
    second = invite(lead, site)
    response = client.get(link(first))
    assert response.status_code == 410
    assert "replaced by a newer one" in response.content.decode()
    assert client.get(link(second)).status_code == 200


def test_a_lead_withdraws_an_invitation_and_its_link_stops_working(lead, site, client):
    invitation = invite(lead, site)
    response = client_for(lead).post(
        reverse("invitation_withdraw", args=[site.slug, invitation.pk])
    )
    assert response.status_code == 302
    assert client.get(link(invitation)).status_code == 410


# --- Accepting as a new person -------------------------------------------------------


def test_a_new_person_makes_a_short_account_and_belongs_to_the_site(lead, site, client):
    invitation = invite(lead, site, name="Sam")
    page = client.get(link(invitation)).content.decode()
    assert "Join Riverside Kitchen" in page
    assert 'value="sam@example.org" readonly' in page
    assert 'name="email"' not in page  # the address is the invited one, not a field
    assert 'value="Sam"' in page

    response = accept_as_new(client, invitation)

    assert response.status_code == 302
    sam = User.objects.get(email="sam@example.org")
    assert sam.name == "Sam Walker" and sam.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=sam, site=site).role == "volunteer"
    invitation.refresh_from_db()
    assert invitation.accepted_by == sam and invitation.accepted_at is not None
    # Logged in straight away.
    assert "Welcome! You now volunteer at Riverside Kitchen." in client.get("/").content.decode()


def test_a_coordinator_invites_a_new_lead(coordinator, site, client):
    invitation = invite(coordinator, site, email="lee@example.org", role="lead")
    response = accept_as_new(client, invitation, name="Lee Lead")
    assert response["Location"] == reverse("site_manage", args=[site.slug])
    lee = User.objects.get(email="lee@example.org")
    assert Membership.objects.get(user=lee, site=site).role == "lead"


def test_a_weak_password_is_a_field_error_and_nothing_is_written(lead, site, client):
    invitation = invite(lead, site)
    response = client.post(
        link(invitation), {"name": "Sam", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_link_works_once(lead, site, client):
    invitation = invite(lead, site)
    accept_as_new(client, invitation)
    people = User.objects.count()

    again = accept_as_new(client_for(None), invitation, name="Someone Else")

    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert User.objects.count() == people
    with pytest.raises(invitations.InvitationRefused):
        invitations.accept_invitation(token=invitation.token, name="X", password=NEW_PASSWORD)


def test_an_expired_link_is_refused_and_nothing_is_written(lead, site):
    invitation = invite(lead, site)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        client = client_for(None)
        assert "expired on" in client.get(link(invitation)).content.decode()
        response = accept_as_new(client, invitation)
    assert response.status_code == 410
    assert not User.objects.filter(email="sam@example.org").exists()


def test_a_tampered_link_is_not_found(lead, site, client):
    invitation = invite(lead, site)
    tampered = reverse("invitation", args=[invitation.token[:-2] + "xx"])
    response = client.post(
        tampered, {"name": "Sam", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()


def test_an_invitation_from_someone_who_no_longer_leads_the_site_no_longer_stands(
    lead, site, client
):
    invitation = invite(lead, site)
    Membership.objects.filter(user=lead, site=site).update(role="volunteer")
    response = accept_as_new(client, invitation)
    assert response.status_code == 403
    assert "can no longer invite people to Riverside Kitchen" in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()


def test_a_lead_invitation_from_a_former_coordinator_no_longer_stands(coordinator, site, client):
    invitation = invite(coordinator, site, email="lee@example.org", role="lead")
    User.objects.filter(pk=coordinator.pk).update(is_coordinator=False)
    assert accept_as_new(client, invitation).status_code == 403
    assert not Membership.objects.filter(site=site, user__email="lee@example.org").exists()


# --- Accepting with an account -------------------------------------------------------


def test_an_existing_account_accepts_by_logging_in(lead, site, outsider, client):
    invitation = invite(lead, site, email=outsider.email)
    page = client.get(link(invitation))
    assert "Log in to accept" in page.content.decode()
    # A new account for a taken address is refused, nothing written.
    assert accept_as_new(client, invitation).status_code == 409
    assert not Membership.objects.filter(user=outsider).exists()

    response = client.post(
        reverse("login") + f"?next={link(invitation)}",
        {"username": outsider.email, "password": PASSWORD, "next": link(invitation)},
    )
    assert response["Location"] == link(invitation)
    assert "Join Riverside Kitchen as a volunteer" in client.get(link(invitation)).content.decode()
    assert client.post(link(invitation)).status_code == 302
    assert Membership.objects.get(user=outsider, site=site).role == "volunteer"


def test_a_volunteer_invited_to_lead_becomes_a_lead(coordinator, site, volunteer):
    invitation = invite(coordinator, site, email=volunteer.email, role="lead")
    client_for(volunteer).post(link(invitation))
    assert Membership.objects.get(user=volunteer, site=site).role == "lead"


def test_someone_logged_in_with_another_address_cannot_accept(lead, site, outsider):
    invitation = invite(lead, site)
    response = client_for(outsider).post(link(invitation))
    assert response.status_code == 403
    assert "another email address" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_existing_lead_keeps_leading_after_a_volunteer_invitation(coordinator, site):
    sam = UserFactory(email="sam@example.org")
    MembershipFactory(user=sam, site=site, role="lead")
    with pytest.raises(DomainError, match="already belongs"):
        invite(coordinator, site, email="sam@example.org")

"""Pairing two networks with a one-time invitation: the side that invited answers
the signed request of the side that accepted, once, within 48 hours."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from commonpot.errors import DomainError
from pantry.federation import services
from pantry.federation.models import Partner, PartnerInvitation
from pantry.federation.signing import CONTENT_TYPE, own_key_id, own_public_key
from tests.conftest import client_for
from tests.federation.fake_partner import (
    PAIR,
    PARTNER_NAME,
    PARTNER_URL,
    encode,
    invitation_code,
    invitation_text,
    new_key,
    post_forms,
    post_signed,
    public_pem,
    signature_headers,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]

KEY_ID = f"{PARTNER_URL}/federation/actor#key"


@pytest.fixture
def pairing_key():
    """The key of the network that accepts our invitation."""
    return new_key()


@pytest.fixture
def invitation(coordinator) -> str:
    return services.make_invitation(by=coordinator)


def present(client, code: str, key, *, url: str = PARTNER_URL, signed_with=None):
    """The other network presents `code`, signed as its `accept_invitation` signs."""
    body = encode(
        {
            "code": code,
            "url": url,
            "name": PARTNER_NAME,
            "key_id": f"{url}/federation/actor#key",
            "public_key": public_pem(key),
        }
    )
    headers = signature_headers(
        body, key=signed_with or key, key_id=f"{url}/federation/actor#key", path=PAIR
    )
    return post_signed(client, PAIR, body, headers)


def test_a_valid_invitation_pairs_and_is_answered_with_our_card(client, invitation, pairing_key):
    response = present(client, invitation_code(invitation), pairing_key)

    assert response.status_code == 200
    assert response.json() == {
        "url": settings.SITE_URL,
        "name": settings.NETWORK_NAME,
        "key_id": own_key_id(),
        "public_key": own_public_key(),
    }
    partner = Partner.objects.get()
    assert (partner.url, partner.name, partner.key_id) == (PARTNER_URL, PARTNER_NAME, KEY_ID)
    assert partner.public_key_pem == public_pem(pairing_key)
    assert partner.status == Partner.Status.ACTIVE
    assert not partner.sites.exists()
    used = PartnerInvitation.objects.get()
    assert used.used_by == partner and used.used_at is not None


def test_the_same_invitation_a_second_time_is_refused_as_already_used(
    client, invitation, pairing_key
):
    present(client, invitation_code(invitation), pairing_key)

    again = present(client, invitation_code(invitation), pairing_key)
    other = present(client, invitation_code(invitation), new_key(), url="http://third.example")

    assert again.status_code == other.status_code == 410
    assert again.json()["reason"] == "This invitation was already used; ask for a new one."
    assert list(Partner.objects.values_list("url", flat=True)) == [PARTNER_URL]


def test_an_invitation_presented_49_hours_later_has_expired(client, invitation, pairing_key, noon):
    noon.shift(timedelta(hours=49))

    response = present(client, invitation_code(invitation), pairing_key)

    assert response.status_code == 410
    assert response.json()["reason"] == "This invitation has expired; ask for a new one."
    assert not Partner.objects.exists()
    assert PartnerInvitation.objects.get().used_at is None


def test_a_made_up_code_is_not_one_of_ours(client, invitation, pairing_key):
    response = present(client, "a-code-nobody-made", pairing_key)

    assert response.status_code == 404
    assert response.json()["reason"] == "This invitation is not one of ours."
    assert not Partner.objects.exists()


def test_an_unsigned_pairing_request_is_refused_and_the_invitation_stays_usable(
    client, invitation, pairing_key
):
    body = encode(
        {
            "code": invitation_code(invitation),
            "url": PARTNER_URL,
            "name": PARTNER_NAME,
            "key_id": KEY_ID,
            "public_key": public_pem(pairing_key),
        }
    )

    response = client.post(PAIR, data=body, content_type=CONTENT_TYPE)

    assert response.status_code == 401
    assert response.json()["reason"] == "The request is not signed."
    assert not Partner.objects.exists()
    assert PartnerInvitation.objects.get().is_usable()


def test_a_pairing_request_signed_with_another_key_than_it_presents_is_refused(
    client, invitation, pairing_key
):
    response = present(client, invitation_code(invitation), pairing_key, signed_with=new_key())

    assert response.status_code == 401
    assert not Partner.objects.exists()
    assert PartnerInvitation.objects.get().is_usable()


def test_a_pairing_request_with_a_key_that_is_not_ed25519_is_refused(client, invitation):
    body = encode(
        {
            "code": invitation_code(invitation),
            "url": PARTNER_URL,
            "name": PARTNER_NAME,
            "key_id": KEY_ID,
            "public_key": "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n",
        }
    )
    response = client.post(PAIR, data=body, content_type=CONTENT_TYPE)

    assert response.status_code == 400
    assert response.json()["reason"] == "The public key is not a PEM public key."
    assert not Partner.objects.exists()


# --- Accepting another network's invitation ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "hello", "commonpot-pair:!!!not base64!!!", "commonpot-pair:" + "e30", "x" * 3000],
)
def test_text_that_is_not_an_invitation_is_refused_beside_the_field(text):
    with pytest.raises(DomainError, match="This is not a Commonpot invitation") as refused:
        services.read_invitation(text)
    assert refused.value.field == "invitation"


def test_an_invitation_made_here_is_not_accepted_here(invitation):
    with pytest.raises(DomainError, match="This invitation was made here") as refused:
        services.read_invitation(invitation)
    assert refused.value.field == "invitation"


def test_an_invitation_survives_the_line_breaks_of_a_chat_message():
    text = invitation_text(code="abc")
    broken = text[:20] + "\n" + text[20:40] + "  \n" + text[40:]

    assert services.read_invitation(broken)["code"] == "abc"


def test_a_partner_that_is_down_could_not_be_reached_and_nothing_is_paired(coordinator):
    down = mock.patch(
        "pantry.federation.services.signed_post", side_effect=ConnectionError("refused")
    )
    with down, pytest.raises(DomainError, match="could not be reached at http://partner.example"):
        services.accept_invitation(text=invitation_text(), by=coordinator)
    assert not Partner.objects.exists()


class Answer:
    def __init__(self, status_code: int, body: dict):
        self.status_code, self.body = status_code, body

    def json(self) -> dict:
        return self.body


def test_accepting_an_invitation_sends_our_card_and_keeps_the_partners(coordinator):
    partner_key = new_key()
    card = {
        "url": PARTNER_URL,
        "name": PARTNER_NAME,
        "key_id": KEY_ID,
        "public_key": public_pem(partner_key),
    }
    with mock.patch(
        "pantry.federation.services.signed_post", return_value=Answer(200, card)
    ) as post:
        partner = services.accept_invitation(
            text=invitation_text(code="their-secret"), by=coordinator
        )

    [(url, body), _options] = post.call_args
    assert url == f"{PARTNER_URL}/federation/pair"
    assert json.loads(body) == {
        "code": "their-secret",
        "url": settings.SITE_URL,
        "name": settings.NETWORK_NAME,
        "key_id": own_key_id(),
        "public_key": own_public_key(),
    }
    assert (partner.url, partner.key_id, partner.public_key_pem) == (
        PARTNER_URL,
        KEY_ID,
        card["public_key"],
    )
    assert partner.paired_by == coordinator


def test_a_refusal_from_the_other_network_is_shown_with_its_reason(coordinator):
    answer = Answer(410, {"reason": "This invitation was already used; ask for a new one."})
    refusing = mock.patch("pantry.federation.services.signed_post", return_value=answer)
    with refusing, pytest.raises(DomainError, match="refused to pair: This invitation was already"):
        services.accept_invitation(text=invitation_text(), by=coordinator)
    assert not Partner.objects.exists()


def test_a_lead_cannot_pair_the_network(lead):
    with (
        mock.patch("pantry.federation.services.signed_post") as post,
        pytest.raises(DomainError, match="Only coordinators"),
    ):
        services.accept_invitation(text=invitation_text(), by=lead)
    post.assert_not_called()


# --- The partners page --------------------------------------------------------------------


def test_the_partners_page_is_for_coordinators_only(lead, coordinator):
    url = reverse("federation:partners")

    assert client_for(lead).get(url).status_code == 403
    page = client_for(coordinator).get(url)
    assert page.status_code == 200
    assert "Invite a partner network" in page.text
    forms = post_forms(page.text)
    assert {reverse("federation:invite"), reverse("federation:accept")} <= set(forms)
    assert all('name="csrfmiddlewaretoken"' in form for form in forms.values())


def test_a_coordinator_makes_an_invitation_shown_once_on_the_page(coordinator):
    page = client_for(coordinator).post(reverse("federation:invite"))

    assert page.status_code == 200
    assert "commonpot-pair:" in page.text
    assert PartnerInvitation.objects.get().created_by == coordinator


def test_pasting_garbage_shows_why_beside_the_field_and_pairs_nothing(coordinator):
    with mock.patch("pantry.federation.services.signed_post") as post:
        page = client_for(coordinator).post(
            reverse("federation:accept"), {"invitation": "hello there"}
        )

    assert page.status_code == 400
    assert "This is not a Commonpot invitation" in page.text
    post.assert_not_called()
    assert not Partner.objects.exists()


def test_a_lead_cannot_post_an_invitation_either(lead):
    with mock.patch("pantry.federation.services.signed_post") as post:
        response = client_for(lead).post(
            reverse("federation:accept"), {"invitation": invitation_text()}
        )

    assert response.status_code == 403
    post.assert_not_called()

"""The inbox a partner install sends to: what a message must carry to be taken,
that each one is applied once and in order, and what our own messages never say."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError

from commonpot.models import Membership
from pantry import services as pantry
from pantry.federation import services
from pantry.federation.models import Incoming, Partner, PartnerOffer, SeenNonce
from pantry.federation.signing import CONTENT_TYPE
from pantry.models import Donor
from tests.factories import MembershipFactory, UserFactory
from tests.federation.fake_partner import (
    INBOX,
    PAIR,
    encode,
    new_key,
    outbox,
    post_signed,
    signature_headers,
)
from tests.network.factories import bread, offer, stock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def nothing_taken() -> None:
    assert not Incoming.objects.exists()
    assert not PartnerOffer.objects.exists()


# --- Who may send ------------------------------------------------------------------------


def test_a_signed_offer_from_a_partner_is_taken_and_listed_as_the_partners(fake_partner):
    response = fake_partner.send("Update", fake_partner.proposal(quantity="20000"))

    assert response.status_code == 202
    assert response.json() == {"outcome": "applied", "reason": ""}
    shared = PartnerOffer.objects.get()
    assert (shared.partner, shared.item_name, shared.site_name) == (
        fake_partner.row,
        "Rye bread",
        "Harbour Pantry",
    )
    assert shared.quantity == Decimal("20000")
    assert shared.locality == "Portishead"
    assert shared.latitude is None


def test_an_unsigned_message_is_refused_and_nothing_is_taken(fake_partner):
    body = encode(fake_partner.activity("Update", fake_partner.proposal()))

    response = fake_partner.client.post(INBOX, data=body, content_type=CONTENT_TYPE)

    assert response.status_code == 401
    assert response.json()["reason"] == "The request is not signed."
    nothing_taken()


def test_a_message_signed_with_another_key_than_the_partners_is_refused(fake_partner):
    activity = fake_partner.activity("Update", fake_partner.proposal())

    response = fake_partner.post(activity, key=new_key())

    assert response.status_code == 401
    assert response.json()["reason"].startswith("The signature does not hold")
    nothing_taken()


def test_a_body_changed_after_signing_is_refused(fake_partner):
    signed = fake_partner.activity("Update", fake_partner.proposal(quantity="2000"))
    headers = fake_partner.headers(encode(signed))
    changed = json.loads(json.dumps(signed))
    changed["object"]["publishes"][0]["availableQuantity"]["hasNumericalValue"] = 200000.0

    response = post_signed(fake_partner.client, INBOX, encode(changed), headers)

    assert response.status_code == 401
    assert "does not hold" in response.json()["reason"]
    nothing_taken()


def test_a_signature_made_for_the_pairing_address_does_not_hold_at_the_inbox(fake_partner):
    body = encode(fake_partner.activity("Update", fake_partner.proposal()))
    headers = fake_partner.headers(body, path=PAIR)

    response = post_signed(fake_partner.client, INBOX, body, headers)

    assert response.status_code == 401
    nothing_taken()


def test_a_signature_older_than_five_minutes_is_refused(fake_partner, noon):
    """Five minutes, and the few seconds two clocks may differ by."""
    body = encode(fake_partner.activity("Update", fake_partner.proposal()))
    headers = fake_partner.headers(body)

    noon.shift(timedelta(minutes=6))
    response = post_signed(fake_partner.client, INBOX, body, headers)

    assert response.status_code == 401
    assert "does not hold" in response.json()["reason"]
    nothing_taken()


def test_a_signature_four_minutes_old_is_still_taken(fake_partner, noon):
    body = encode(fake_partner.activity("Update", fake_partner.proposal()))
    headers = fake_partner.headers(body)

    noon.shift(timedelta(minutes=4))
    response = post_signed(fake_partner.client, INBOX, body, headers)

    assert response.status_code == 202
    assert PartnerOffer.objects.count() == 1


def test_the_same_signed_request_sent_again_is_a_replay_and_is_applied_once(fake_partner):
    body = encode(fake_partner.activity("Update", fake_partner.proposal()))
    headers = fake_partner.headers(body)

    first = post_signed(fake_partner.client, INBOX, body, headers)
    again = post_signed(fake_partner.client, INBOX, body, headers)

    assert first.status_code == 202
    assert again.status_code == 409
    assert again.json()["reason"] == "This request was seen before (a replay)."
    assert Incoming.objects.count() == 1
    assert PartnerOffer.objects.count() == 1


def test_a_nonce_the_partner_used_before_is_a_replay_even_on_another_message(fake_partner):
    first = fake_partner.post(
        fake_partner.activity("Update", fake_partner.proposal(1)), nonce="the-same-nonce"
    )
    second = fake_partner.post(
        fake_partner.activity("Update", fake_partner.proposal(2)), nonce="the-same-nonce"
    )

    assert (first.status_code, second.status_code) == (202, 409)
    assert list(PartnerOffer.objects.values_list("uri", flat=True)) == [fake_partner.offer_uri(1)]


def test_a_key_nobody_paired_with_is_refused(fake_partner):
    body = encode(fake_partner.activity("Update", fake_partner.proposal()))
    headers = signature_headers(
        body, key=new_key(), key_id="http://stranger.example/federation/actor#key"
    )

    response = post_signed(fake_partner.client, INBOX, body, headers)

    assert response.status_code == 401
    nothing_taken()


def test_a_message_naming_another_actor_than_the_signer_is_refused(fake_partner):
    activity = fake_partner.activity("Update", fake_partner.proposal())
    activity["actor"] = "http://stranger.example/federation/actor"

    response = fake_partner.post(activity)

    assert response.status_code == 400
    assert response.json()["reason"] == "The actor is not the signer."
    nothing_taken()


def test_a_paused_partner_is_told_to_send_again_later_and_its_message_is_taken_once_resumed(
    fake_partner, coordinator
):
    services.set_status(partner_id=fake_partner.row.pk, status="paused", by=coordinator)
    activity = fake_partner.activity("Update", fake_partner.proposal())

    waiting = fake_partner.post(activity)

    assert waiting.status_code == 503
    assert waiting["Retry-After"] == "300"
    assert "paused" in waiting.json()["reason"]
    nothing_taken()
    assert not SeenNonce.objects.exists()

    services.set_status(partner_id=fake_partner.row.pk, status="active", by=coordinator)
    # The partner's outbox kept the message and signs it afresh for the next attempt.
    taken = fake_partner.post(activity)

    assert taken.status_code == 202
    assert PartnerOffer.objects.count() == 1


def test_a_partner_whose_link_ended_is_refused(fake_partner, coordinator):
    services.set_status(partner_id=fake_partner.row.pk, status="ended", by=coordinator)

    response = fake_partner.send("Update", fake_partner.proposal())

    assert response.status_code in (401, 410)
    nothing_taken()


def test_a_body_that_is_not_json_is_refused(fake_partner):
    response = fake_partner.post(b'{"type": "Update", "object": ')

    assert response.status_code == 400
    assert response.json()["reason"] == "The body is not JSON."
    nothing_taken()


def test_a_message_without_a_sequence_number_is_refused(fake_partner):
    activity = fake_partner.activity("Update", fake_partner.proposal())
    del activity["sequence"]

    response = fake_partner.post(activity)

    assert response.status_code == 400
    assert response.json()["reason"] == "sequence is missing."
    nothing_taken()


def test_a_proposal_that_misses_its_quantity_is_kept_as_refused_with_why(fake_partner):
    proposal = fake_partner.proposal()
    del proposal["publishes"][0]["availableQuantity"]

    response = fake_partner.send("Update", proposal)

    assert response.status_code == 202
    assert response.json() == {"outcome": "refused", "reason": "availableQuantity is missing."}
    assert not PartnerOffer.objects.exists()
    assert Incoming.objects.get().outcome == Incoming.Outcome.REFUSED


def _bad_date(p):
    p["publishes"][0]["resourceInventoriedAs"]["lot"]["expirationDate"] = "2026-02-30"


def _bad_moment(p):
    p["hasEnd"] = "2026-13-45T10:00:00Z"


def _resource_as_text(p):
    p["publishes"][0]["resourceInventoriedAs"] = "a loaf"


def _lot_as_text(p):
    p["publishes"][0]["resourceInventoriedAs"]["lot"] = "RYE-1"


def _negative_version(p):
    p["version"] = -1


def _huge_version(p):
    p["version"] = 10**30


def _long_id(p):
    p["id"] += "/" + "x" * 300


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_bad_date, "expirationDate is not a date."),
        (_bad_moment, "hasEnd is not a date and time with its offset."),
        (_resource_as_text, "resourceInventoriedAs is not an EconomicResource."),
        (_lot_as_text, "resourceInventoriedAs.lot is not a BatchLotRecord."),
        (_negative_version, "version is out of range."),
        (_huge_version, "version is out of range."),
        (_long_id, "The proposal's id is longer than 300 characters."),
    ],
)
def test_an_offer_we_cannot_read_is_kept_as_refused_and_the_partner_goes_on(
    fake_partner, spoil, reason
):
    """Never a 500: the partner's outbox would send the same message again and
    again, and nothing after it would ever arrive."""
    proposal = fake_partner.proposal(1)
    spoil(proposal)

    refused = fake_partner.send("Update", proposal)
    after = fake_partner.send("Update", fake_partner.proposal(2))

    assert refused.status_code == 202
    assert refused.json() == {"outcome": "refused", "reason": reason}
    assert after.json()["outcome"] == "applied"
    assert list(PartnerOffer.objects.values_list("uri", flat=True)) == [fake_partner.offer_uri(2)]


@pytest.mark.parametrize("obj", [None, "a claim", ["a", "claim"]])
def test_a_claim_without_a_commitment_is_refused(fake_partner, obj):
    activity = fake_partner.activity("Offer", obj)
    if obj is None:
        del activity["object"]

    response = fake_partner.post(activity)

    assert response.status_code == 202
    assert response.json() == {
        "outcome": "refused",
        "reason": "A claim's object is a Commitment.",
    }


def test_a_sequence_number_too_large_to_keep_is_refused(fake_partner):
    activity = fake_partner.activity("Update", fake_partner.proposal(), seq=2**63)

    response = fake_partner.post(activity)

    assert response.status_code == 400
    assert response.json()["reason"] == "sequence is out of range."
    nothing_taken()


def test_a_message_our_tables_cannot_keep_is_refused_not_taken_for_a_copy(fake_partner):
    """Only a copy of a message already taken is "seen before"; a message that
    breaks a constraint of ours is kept as refused, for the coordinator to read."""
    activity = fake_partner.activity("Update", fake_partner.proposal())
    with mock.patch(
        "pantry.federation.services.apply", side_effect=IntegrityError("CHECK constraint failed")
    ):
        response = fake_partner.post(activity)

    assert response.status_code == 202
    assert response.json()["outcome"] == "refused"
    kept = Incoming.objects.get()
    assert (kept.outcome, kept.seq) == (Incoming.Outcome.REFUSED, activity["sequence"])
    assert not PartnerOffer.objects.exists()


# --- Once, and in order ------------------------------------------------------------------


def test_a_message_seen_before_is_answered_ok_and_not_applied_again(fake_partner):
    activity = fake_partner.activity("Update", fake_partner.proposal(quantity="20000"))
    assert fake_partner.post(activity).status_code == 202
    fake_partner.refresh()

    # The partner did not hear our answer and sends the same message again, newly signed.
    again = fake_partner.post(activity)

    assert again.status_code == 200
    assert again.json()["outcome"] == "seen before"
    assert Incoming.objects.count() == 1
    assert fake_partner.refresh().last_in_seq == activity["sequence"]


def test_an_older_version_of_an_offer_never_overwrites_a_newer_one(fake_partner):
    newer = fake_partner.send("Update", fake_partner.proposal(version=3, quantity="12000"))
    older = fake_partner.send("Update", fake_partner.proposal(version=2, quantity="20000"))

    assert newer.json()["outcome"] == "applied"
    assert older.status_code == 202
    assert older.json()["outcome"] == "ignored"
    shared = PartnerOffer.objects.get()
    assert (shared.version, shared.quantity) == (3, Decimal("12000"))


def test_messages_after_a_gap_in_the_sequence_are_applied_in_the_order_they_arrive(
    fake_partner,
):
    """A message the partner's outbox gave up on (we refused it) leaves a gap: the
    ones after it still count."""
    fake_partner.send("Update", fake_partner.proposal(1, version=1, quantity="20000"), seq=1)
    fake_partner.send("Update", fake_partner.proposal(1, version=2, quantity="15000"), seq=4)
    fake_partner.send("Update", fake_partner.proposal(2, version=1, quantity="5000"), seq=9)

    assert list(Incoming.objects.order_by("pk").values_list("seq", "outcome")) == [
        (1, "applied"),
        (4, "applied"),
        (9, "applied"),
    ]
    assert fake_partner.refresh().last_in_seq == 9
    first = PartnerOffer.objects.get(uri=fake_partner.offer_uri(1))
    assert (first.version, first.quantity) == (2, Decimal("15000"))


def test_a_sequence_number_below_the_last_one_taken_is_a_copy_already_seen(fake_partner):
    fake_partner.send("Update", fake_partner.proposal(1), seq=5)

    late = fake_partner.send("Update", fake_partner.proposal(2), seq=3)

    assert late.status_code == 200
    assert late.json()["outcome"] == "seen before"
    assert PartnerOffer.objects.count() == 1


def test_a_leave_ends_the_link_and_later_messages_are_refused(fake_partner):
    left = fake_partner.send("Leave", {"type": "Organization", "id": fake_partner.row.actor})

    assert left.status_code == 202
    assert fake_partner.refresh().status == Partner.Status.ENDED
    assert fake_partner.send("Update", fake_partner.proposal()).status_code in (401, 410)
    assert not PartnerOffer.objects.exists()


# --- What our messages never say ----------------------------------------------------------


def test_an_offer_of_a_site_that_hides_its_place_goes_out_without_coordinates(
    fake_partner, site, lead
):
    site.latitude, site.longitude = Decimal("51.451234"), Decimal("-2.587654")
    site.show_exact_location = False
    site.save()
    fake_partner.row.sites.add(site)
    o = offer(site, stock(site, bread(), "40000", by=lead), "30000", by=lead)

    o.share_with_partners = True
    o.save(update_fields=["share_with_partners"])

    [update] = outbox(fake_partner, "Update")
    text = json.dumps(update)
    assert update["object"]["id"].endswith(f"/federation/offers/{o.pk}")
    assert '"lat"' not in text and '"long"' not in text
    assert "51.45" not in text and "2.58" not in text
    assert update["object"]["eligibleLocation"] == {"type": "SpatialThing", "name": "Bristol"}


def test_an_offer_of_a_site_that_shows_its_place_carries_its_point(fake_partner, site, lead):
    site.latitude, site.longitude = Decimal("51.451234"), Decimal("-2.587654")
    site.save()
    fake_partner.row.sites.add(site)
    o = offer(site, stock(site, bread(), "40000", by=lead), "30000", by=lead)

    o.share_with_partners = True
    o.save(update_fields=["share_with_partners"])

    [update] = outbox(fake_partner, "Update")
    assert update["object"]["eligibleLocation"]["lat"] == pytest.approx(51.451234)


def test_no_person_is_named_in_any_message_a_partner_gets(fake_partner, site, lead, volunteer):
    """A whole transfer out and one in: donors, leads and volunteers stay here."""
    fake_partner.row.sites.add(site)
    donor = Donor.objects.create(
        site=site,
        name="Priya Patel",
        kind=Donor.Kind.PERSON,
        email="priya.patel@example.org",
        phone="+447700900555",
        address="12 Elm Road, Bristol",
    )
    lot = pantry.receive(
        site=site,
        item=bread(),
        quantity=Decimal("40000"),
        by=lead,
        source="Priya Patel",
        donor=donor,
        best_before=site.today() + timedelta(days=2),
        code="PP-LOT-7",
    ).lot
    o = offer(site, lot, "30000", by=lead, notes="Sliced, in bags")
    o.share_with_partners = True
    o.save(update_fields=["share_with_partners"])
    helper = UserFactory(display_name="Dmitri Driver", email="dmitri@example.org")
    MembershipFactory(user=helper, site=site, role=Membership.Role.LEAD)
    # Their claim of ours, held and dispatched by a second lead.
    fake_partner.post(fake_partner.claim(o, "10000"))
    ours_out = fake_partner.row.transfers.get()
    services.dispatch(transfer_id=ours_out.pk, by=helper)
    # Our claim of theirs, accepted, dispatched and received by our lead.
    fake_partner.send("Update", fake_partner.proposal(7, quantity="5000"))
    ours_in = services.claim_partner_offer(
        partner_offer_id=PartnerOffer.objects.get().pk, site=site, by=lead
    )
    fake_partner.post(fake_partner.reply("Accept", ours_in, version=2))
    fake_partner.post(fake_partner.pickup(ours_in, [("5000", site.today())], version=3))
    services.receive(transfer_id=ours_in.pk, by=lead, received=Decimal("5000"))

    sent = json.dumps(outbox(fake_partner))
    kinds = [a["type"] for a in outbox(fake_partner)]
    assert {"Update", "Accept", "Create", "Offer"} <= set(kinds)
    for private in (
        "Priya",
        "Patel",
        "priya.patel@example.org",
        "+447700900555",
        "Elm Road",
        lead.display_name,
        lead.email,
        lead.phone,
        lead.username,
        helper.display_name,
        helper.email,
        helper.phone,
        volunteer.display_name,
        volunteer.email,
        volunteer.phone,
    ):
        assert private not in sent, private

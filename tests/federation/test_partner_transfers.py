"""Food across the link: a partner network claims our shared offer (we hold it,
dispatch it, and hear it arrived), and we claim a partner's offer (they accept and
dispatch it, and our lead records what arrived as new lots)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from commonpot.errors import DomainError
from pantry.federation import services
from pantry.federation.models import (
    Incoming,
    Outgoing,
    PartnerOffer,
    PartnerTransfer,
)
from pantry.models import Item, Lot, Reservation, StockMove
from pantry.network.models import Offer
from tests.conftest import client_for
from tests.federation.fake_partner import outbox, post_forms
from tests.network.factories import bread, offer, stock, yoghurt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def held(reference: str) -> Decimal:
    total = Reservation.objects.filter(
        reference=reference, status=Reservation.Status.HELD
    ).aggregate(total=Sum("quantity"))["total"]
    return total or Decimal(0)


def on_hand_at(site) -> Decimal:
    return Lot.objects.filter(site=site).aggregate(total=Sum("on_hand"))["total"] or Decimal(0)


def share(o: Offer) -> Offer:
    """Tick "Share with partner networks" on an offer, as its form saves it."""
    o.share_with_partners = True
    o.save(update_fields=["share_with_partners"])
    return o


@pytest.fixture
def our_bread(site, lead) -> Lot:
    """40 kg of bread at Riverside Kitchen, good for two more days."""
    return stock(site, bread(), "40000", by=lead)


@pytest.fixture
def shared_offer(site, lead, our_bread, fake_partner_with_riverside) -> Offer:
    """30 kg of it offered, and shared with the partner Riverside takes part with."""
    return share(offer(site, our_bread, "30000", by=lead))


def claimed(fake_partner, o: Offer, quantity: str = "10000") -> PartnerTransfer:
    response = fake_partner.post(fake_partner.claim(o, quantity))
    assert response.status_code == 202, response.content
    return PartnerTransfer.objects.get(partner=fake_partner.row, direction="out")


# --- They claim our offer ------------------------------------------------------------------


def test_a_shared_offer_goes_to_the_partner_as_a_proposal(shared_offer, fake_partner):
    [update] = outbox(fake_partner, "Update")

    proposal = update["object"]
    assert proposal["type"] == "Proposal"
    assert proposal["purpose"] == "offer"
    assert proposal["status"] == "open"
    intent = proposal["publishes"][0]
    assert intent["availableQuantity"]["hasNumericalValue"] == 30000
    assert intent["resourceConformsTo"]["name"] == "Bread"
    assert intent["provider"]["name"] == "Riverside Kitchen"


def test_a_partners_claim_holds_the_food_and_an_accept_waits_for_it(shared_offer, fake_partner):
    transfer = claimed(fake_partner, shared_offer, "10000")

    shared_offer.refresh_from_db()
    assert shared_offer.remaining == Decimal("20000")
    assert held(transfer.reference) == Decimal("10000")
    assert held(shared_offer.reference) == Decimal("20000")
    assert transfer.status == PartnerTransfer.Status.ACCEPTED
    assert (transfer.site, transfer.item.name, transfer.partner_site_name) == (
        shared_offer.site,
        "Bread",
        "Harbour Pantry",
    )
    [accept] = outbox(fake_partner, "Accept")
    assert accept["transferId"] == str(transfer.uid)
    assert accept["version"] == transfer.version == 2
    # The partner also hears that less is on offer now.
    latest = outbox(fake_partner, "Update")[-1]["object"]
    assert latest["publishes"][0]["availableQuantity"]["hasNumericalValue"] == 20000
    assert latest["version"] > outbox(fake_partner, "Update")[0]["object"]["version"]


def test_a_claim_of_everything_left_closes_the_offer(shared_offer, fake_partner):
    claimed(fake_partner, shared_offer, "30000")

    shared_offer.refresh_from_db()
    assert (shared_offer.remaining, shared_offer.status) == (0, Offer.Status.TAKEN)
    assert outbox(fake_partner, "Update")[-1]["object"]["status"] == "taken"


def test_a_claim_larger_than_what_remains_is_rejected_saying_how_much_is_left(
    shared_offer, fake_partner, our_bread
):
    response = fake_partner.post(fake_partner.claim(shared_offer, "45000"))

    assert response.status_code == 202
    assert response.json()["outcome"] == "refused"
    [reject] = outbox(fake_partner, "Reject")
    assert reject["summary"] == (
        "Only 30 kg of Bread is still on offer; the claim asked for 45 kg."
    )
    shared_offer.refresh_from_db()
    our_bread.refresh_from_db()
    assert shared_offer.remaining == Decimal("30000")
    assert held(shared_offer.reference) == Decimal("30000")
    assert (our_bread.on_hand, our_bread.reserved) == (Decimal("40000"), Decimal("30000"))
    assert not outbox(fake_partner, "Accept")


def test_a_rejection_counts_pieces_in_words_that_agree(site, lead, fake_partner_with_riverside):
    pots = stock(site, yoghurt(), "12", by=lead)
    o = share(offer(site, pots, "12", by=lead))

    claim = fake_partner_with_riverside.claim(o, "20")
    claim["object"]["resourceQuantity"]["hasUnit"] = {"label": "one", "symbol": "piece"}
    fake_partner_with_riverside.post(claim)

    [reject] = outbox(fake_partner_with_riverside, "Reject")
    assert reject["summary"] == (
        "Only 12 pots of Yoghurt are still on offer; the claim asked for 20 pots."
    )


def assert_refused_holding_nothing(fake_partner, o: Offer, lot: Lot) -> None:
    uid = uuid.uuid4()
    response = fake_partner.post(fake_partner.claim(o, "5000", uid=uid))

    assert response.status_code == 202
    assert response.json() == {
        "outcome": "refused",
        "reason": "This offer is not shared with your network.",
    }
    [reject] = outbox(fake_partner, "Reject")
    assert reject["transferId"] == str(uid)
    assert reject["summary"] == "This offer is not shared with your network."
    assert not PartnerTransfer.objects.exists()
    assert not Reservation.objects.filter(reference__startswith="partner-transfer:").exists()
    o.refresh_from_db()
    lot.refresh_from_db()
    assert o.remaining == Decimal("30000")
    assert lot.reserved == Decimal("30000")


def test_a_claim_of_an_offer_not_shared_is_refused_and_holds_nothing(
    site, lead, our_bread, fake_partner_with_riverside
):
    unshared = offer(site, our_bread, "30000", by=lead)

    assert_refused_holding_nothing(fake_partner_with_riverside, unshared, our_bread)


def test_a_claim_of_a_site_not_taking_part_is_refused_and_holds_nothing(
    site, lead, our_bread, fake_partner
):
    o = share(offer(site, our_bread, "30000", by=lead))
    assert not outbox(fake_partner)  # nothing of Riverside's goes to this partner

    assert_refused_holding_nothing(fake_partner, o, our_bread)


def test_a_claim_of_a_category_not_shared_is_refused_and_holds_nothing(
    site, lead, our_bread, fake_partner_with_riverside
):
    fake_partner_with_riverside.row.categories = [Item.Category.DAIRY_EGGS]
    fake_partner_with_riverside.row.save()
    o = share(offer(site, our_bread, "30000", by=lead))

    assert_refused_holding_nothing(fake_partner_with_riverside, o, our_bread)


def test_a_claim_counted_in_another_unit_is_rejected(site, lead, fake_partner_with_riverside):
    pots = stock(site, yoghurt(), "12", by=lead)
    o = share(offer(site, pots, "12", by=lead))

    response = fake_partner_with_riverside.post(fake_partner_with_riverside.claim(o, "6000"))

    assert response.json()["outcome"] == "refused"
    [reject] = outbox(fake_partner_with_riverside, "Reject")
    assert reject["summary"] == "The claim counts in another unit than the offer."
    o.refresh_from_db()
    assert o.remaining == 12


def test_the_same_claim_sent_again_holds_the_food_once(shared_offer, fake_partner):
    uid = uuid.uuid4()
    first = fake_partner.claim(shared_offer, "10000", uid=uid)
    fake_partner.post(first)

    again = fake_partner.post(first)  # the same message, signed again
    copy = fake_partner.post(fake_partner.claim(shared_offer, "10000", uid=uid))  # a new one

    assert again.status_code == 200
    assert copy.json()["outcome"] == "ignored"
    shared_offer.refresh_from_db()
    assert shared_offer.remaining == Decimal("20000")
    assert PartnerTransfer.objects.count() == 1
    assert len(outbox(fake_partner, "Accept")) == 1


def test_our_lead_dispatches_a_claim_and_the_partner_hears_what_left(
    site, lead, shared_offer, fake_partner, our_bread
):
    transfer = claimed(fake_partner, shared_offer, "10000")
    before = on_hand_at(site)

    services.dispatch(transfer_id=transfer.pk, by=lead)

    transfer.refresh_from_db()
    our_bread.refresh_from_db()
    assert transfer.status == PartnerTransfer.Status.DISPATCHED
    assert (our_bread.on_hand, our_bread.reserved) == (Decimal("30000"), Decimal("20000"))
    [line] = transfer.lines.all()
    assert (line.origin_lot, line.quantity, line.best_before) == (
        our_bread,
        Decimal("10000"),
        our_bread.best_before,
    )
    assert transfer.in_transit == Decimal("10000")
    assert StockMove.objects.get(reference=transfer.reference).kind == StockMove.Kind.TRANSFER_OUT
    # Nothing is lost: what left our shelves is on the road.
    assert on_hand_at(site) + transfer.in_transit == before
    [create] = outbox(fake_partner, "Create")
    assert (create["step"], create["transferId"], create["version"]) == (
        "pickup",
        str(transfer.uid),
        transfer.version,
    )
    [event] = create["object"]
    assert event["action"] == "pickup"
    assert event["resourceQuantity"]["hasNumericalValue"] == 10000
    assert event["resourceInventoriedAs"]["lot"]["expirationDate"] == (
        our_bread.best_before.isoformat()
    )


def test_a_lead_of_another_site_cannot_dispatch_our_food(
    shared_offer, fake_partner, other_lead, our_bread
):
    transfer = claimed(fake_partner, shared_offer)

    with pytest.raises(DomainError, match="Only leads of Riverside Kitchen"):
        services.dispatch(transfer_id=transfer.pk, by=other_lead)
    our_bread.refresh_from_db()
    assert our_bread.on_hand == Decimal("40000")
    assert not outbox(fake_partner, "Create")


def test_the_partners_receipt_marks_the_transfer_received(site, lead, shared_offer, fake_partner):
    transfer = claimed(fake_partner, shared_offer, "10000")
    services.dispatch(transfer_id=transfer.pk, by=lead)
    transfer.refresh_from_db()
    after_dispatch = on_hand_at(site)

    response = fake_partner.post(
        fake_partner.receipt(transfer, "9500", version=transfer.version + 1)
    )

    assert response.status_code == 202
    assert response.json()["outcome"] == "applied"
    transfer.refresh_from_db()
    assert transfer.status == PartnerTransfer.Status.RECEIVED
    assert transfer.received_quantity == Decimal("9500")
    assert transfer.in_transit == 0
    assert on_hand_at(site) == after_dispatch  # the food is theirs now, not ours again


def test_a_receipt_of_more_than_was_sent_is_refused(site, lead, shared_offer, fake_partner):
    transfer = claimed(fake_partner, shared_offer, "10000")
    services.dispatch(transfer_id=transfer.pk, by=lead)
    transfer.refresh_from_db()

    response = fake_partner.post(
        fake_partner.receipt(transfer, "12000", version=transfer.version + 1)
    )

    assert response.json() == {"outcome": "refused", "reason": "More arrived than was sent."}
    transfer.refresh_from_db()
    assert transfer.status == PartnerTransfer.Status.DISPATCHED
    assert transfer.received_quantity is None
    assert Incoming.objects.filter(outcome=Incoming.Outcome.REFUSED).count() == 1


def test_the_partner_calling_off_its_claim_before_hearing_our_accept_frees_the_food(
    shared_offer, fake_partner, our_bread
):
    """Their claim was at version 1 and their call-off is their version 2, the same
    number our Accept carried: the call-off still counts."""
    transfer = claimed(fake_partner, shared_offer, "10000")

    response = fake_partner.post(
        fake_partner.reply("Reject", transfer, version=2, summary="Our van broke down.")
    )

    assert response.json()["outcome"] == "applied"
    transfer.refresh_from_db()
    shared_offer.refresh_from_db()
    our_bread.refresh_from_db()
    assert (transfer.status, transfer.reason) == ("cancelled", "Our van broke down.")
    assert held(transfer.reference) == 0
    assert shared_offer.remaining == held(shared_offer.reference) == Decimal("30000")
    assert our_bread.reserved == Decimal("30000")
    latest = outbox(fake_partner, "Update")[-1]["object"]
    assert latest["publishes"][0]["availableQuantity"]["hasNumericalValue"] == 30000


def test_a_call_off_after_the_food_left_changes_nothing(site, lead, shared_offer, fake_partner):
    transfer = claimed(fake_partner, shared_offer, "10000")
    services.dispatch(transfer_id=transfer.pk, by=lead)

    response = fake_partner.post(
        fake_partner.reply("Reject", transfer, version=9, summary="Too late")
    )

    assert response.json()["outcome"] == "ignored"
    transfer.refresh_from_db()
    assert (transfer.status, transfer.in_transit) == ("dispatched", Decimal("10000"))


@pytest.mark.parametrize(
    "events",
    [
        lambda received: received[0],
        lambda received: "arrived",
        lambda received: None,
    ],
    ids=["one event, not a list", "text", "nothing"],
)
def test_a_receipt_we_cannot_read_is_refused_and_leaves_the_transfer_in_transit(
    site, lead, shared_offer, fake_partner, events
):
    transfer = claimed(fake_partner, shared_offer, "10000")
    services.dispatch(transfer_id=transfer.pk, by=lead)
    transfer.refresh_from_db()
    receipt = fake_partner.receipt(transfer, "9000", version=transfer.version + 1)
    receipt["object"] = events(receipt["object"])

    response = fake_partner.post(receipt)

    assert response.status_code == 202
    assert response.json()["outcome"] == "refused"
    transfer.refresh_from_db()
    assert transfer.status == PartnerTransfer.Status.DISPATCHED


# --- We claim their offer ----------------------------------------------------------------


@pytest.fixture
def their_offer(fake_partner_with_riverside) -> PartnerOffer:
    """20 kg of rye bread at the partner's Harbour Pantry, shared with us."""
    partner = fake_partner_with_riverside
    assert partner.send("Update", partner.proposal(quantity="20000")).status_code == 202
    return PartnerOffer.objects.get()


def test_claiming_a_partners_offer_asks_the_partner_for_it(site, lead, their_offer, fake_partner):
    transfer = services.claim_partner_offer(
        partner_offer_id=their_offer.pk, site=site, by=lead, quantity=Decimal("15000")
    )

    assert (transfer.direction, transfer.status) == ("in", PartnerTransfer.Status.REQUESTED)
    assert (transfer.site, transfer.quantity, transfer.item_name) == (
        site,
        Decimal("15000"),
        "Rye bread",
    )
    [claim] = outbox(fake_partner, "Offer")
    commitment = claim["object"]
    assert commitment["type"] == "Commitment"
    assert commitment["uid"] == str(transfer.uid)
    assert commitment["satisfies"]["id"] == f"{their_offer.uri}#intent"
    assert commitment["resourceQuantity"]["hasNumericalValue"] == 15000
    assert commitment["resourceQuantity"]["hasUnit"]["symbol"] == "g"
    assert commitment["receiver"]["name"] == "Riverside Kitchen"


def test_a_site_not_taking_part_cannot_claim_a_partners_offer(
    other_site, other_lead, their_offer, fake_partner
):
    with pytest.raises(DomainError, match="Eastside Food Bank does not take part with Harbour"):
        services.claim_partner_offer(
            partner_offer_id=their_offer.pk, site=other_site, by=other_lead
        )
    assert not PartnerTransfer.objects.exists()
    assert not outbox(fake_partner, "Offer")


def test_nothing_is_claimed_from_a_paused_partner(
    site, lead, coordinator, their_offer, fake_partner
):
    services.set_status(partner_id=fake_partner.row.pk, status="paused", by=coordinator)

    with pytest.raises(DomainError, match="is paused; nothing can be claimed"):
        services.claim_partner_offer(partner_offer_id=their_offer.pk, site=site, by=lead)
    assert not PartnerTransfer.objects.exists()
    assert not outbox(fake_partner, "Offer")


def test_a_claim_of_more_than_a_partner_offers_is_refused(site, lead, their_offer, fake_partner):
    with pytest.raises(DomainError, match="Only 20 kg of Rye bread is on offer") as refused:
        services.claim_partner_offer(
            partner_offer_id=their_offer.pk, site=site, by=lead, quantity=Decimal("25000")
        )
    assert refused.value.field == "quantity"
    assert not PartnerTransfer.objects.exists()


def test_a_claim_we_called_off_stays_off_when_the_partners_accept_arrives_late(
    site, lead, their_offer, fake_partner
):
    transfer = services.claim_partner_offer(
        partner_offer_id=their_offer.pk, site=site, by=lead, quantity=Decimal("5000")
    )
    services.cancel(transfer_id=transfer.pk, by=lead, reason="We found bread nearer.")

    late = fake_partner.post(fake_partner.reply("Accept", transfer, version=2))

    assert late.json()["outcome"] == "ignored"
    transfer.refresh_from_db()
    assert transfer.status == PartnerTransfer.Status.CANCELLED
    [call_off] = outbox(fake_partner, "Reject")
    assert (call_off["summary"], call_off["version"]) == ("We found bread nearer.", 2)


def test_the_partner_refusing_our_claim_says_why(site, lead, their_offer, fake_partner):
    transfer = services.claim_partner_offer(partner_offer_id=their_offer.pk, site=site, by=lead)

    fake_partner.post(
        fake_partner.reply("Reject", transfer, version=2, summary="Only 5 kg is left.")
    )

    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason) == ("refused", "Only 5 kg is left.")


@pytest.fixture
def on_the_road(site, lead, their_offer, fake_partner) -> PartnerTransfer:
    """15 kg claimed by Riverside, accepted and dispatched by the partner in two
    lots: 10 kg best before in two days, 5 kg in four."""
    transfer = services.claim_partner_offer(
        partner_offer_id=their_offer.pk, site=site, by=lead, quantity=Decimal("15000")
    )
    accepted = fake_partner.post(fake_partner.reply("Accept", transfer, version=2))
    assert accepted.json()["outcome"] == "applied"
    transfer.refresh_from_db()
    assert transfer.status == PartnerTransfer.Status.ACCEPTED
    lines = [
        ("10000", site.today() + timedelta(days=2)),
        ("5000", site.today() + timedelta(days=4)),
    ]
    dispatched = fake_partner.post(fake_partner.pickup(transfer, lines, version=3))
    assert dispatched.json()["outcome"] == "applied"
    transfer.refresh_from_db()
    return transfer


def test_what_the_partner_dispatched_is_on_the_road_to_us(on_the_road):
    assert on_the_road.status == PartnerTransfer.Status.DISPATCHED
    assert on_the_road.in_transit == Decimal("15000")
    assert [(line.quantity, line.lot_code) for line in on_the_road.lines.all()] == [
        (Decimal("10000"), "RYE-1"),
        (Decimal("5000"), "RYE-2"),
    ]


def test_receiving_makes_new_lots_with_the_partners_dates_and_tells_the_partner(
    site, lead, on_the_road, fake_partner
):
    services.receive(transfer_id=on_the_road.pk, by=lead, received=Decimal("15000"))

    lots = Lot.objects.filter(site=site, item__name="Rye bread").order_by("best_before")
    assert [(lot.on_hand, lot.best_before, lot.code) for lot in lots] == [
        (Decimal("10000"), site.today() + timedelta(days=2), "RYE-1"),
        (Decimal("5000"), site.today() + timedelta(days=4), "RYE-2"),
    ]
    assert {lot.source for lot in lots} == {"Harbour Pantry (Harbour Food Network)"}
    assert set(
        StockMove.objects.filter(reference=on_the_road.reference).values_list("kind", flat=True)
    ) == {StockMove.Kind.TRANSFER_IN}
    on_the_road.refresh_from_db()
    assert on_the_road.status == PartnerTransfer.Status.RECEIVED
    receipt = outbox(fake_partner, "Create")[-1]
    assert (receipt["step"], receipt["transferId"], receipt["version"]) == (
        "receipt",
        str(on_the_road.uid),
        4,
    )
    assert [e["action"] for e in receipt["object"]] == ["dropoff", "transfer"]
    assert receipt["object"][1]["resourceQuantity"]["hasNumericalValue"] == 15000


def test_receiving_less_fills_the_earliest_lot_first(site, lead, on_the_road):
    services.receive(transfer_id=on_the_road.pk, by=lead, received=Decimal("12000"))

    lots = Lot.objects.filter(site=site, item__name="Rye bread").order_by("best_before")
    assert [lot.on_hand for lot in lots] == [Decimal("10000"), Decimal("2000")]
    on_the_road.refresh_from_db()
    assert on_the_road.received_quantity == Decimal("12000")


def test_receiving_more_than_was_sent_is_refused(site, lead, on_the_road, fake_partner):
    with pytest.raises(DomainError, match="but only 15 kg was sent") as refused:
        services.receive(transfer_id=on_the_road.pk, by=lead, received=Decimal("16000"))

    assert refused.value.field == "received"
    assert not Lot.objects.filter(item__name="Rye bread").exists()
    on_the_road.refresh_from_db()
    assert on_the_road.status == PartnerTransfer.Status.DISPATCHED
    assert not outbox(fake_partner, "Create")


def test_a_lead_of_another_site_cannot_receive_for_ours(other_lead, on_the_road):
    with pytest.raises(DomainError, match="Only leads of Riverside Kitchen"):
        services.receive(transfer_id=on_the_road.pk, by=other_lead, received=Decimal("15000"))

    response = client_for(other_lead).post(
        reverse("federation:transfer_receive", args=[on_the_road.pk]),
        {"received": "15", "unit": "kg"},
    )

    assert response.status_code == 403
    assert not Lot.objects.filter(item__name="Rye bread").exists()
    on_the_road.refresh_from_db()
    assert on_the_road.status == PartnerTransfer.Status.DISPATCHED


def test_our_lead_records_the_arrival_on_the_transfer_page(site, lead, on_the_road):
    url = reverse("federation:transfer", args=[on_the_road.pk])
    page = client_for(lead).get(url)
    receive_url = reverse("federation:transfer_receive", args=[on_the_road.pk])
    assert 'name="csrfmiddlewaretoken"' in post_forms(page.text)[receive_url]

    response = client_for(lead).post(receive_url, {"received": "15", "unit": "kg"})

    assert response.status_code == 302
    assert Lot.objects.filter(site=site, item__name="Rye bread").count() == 2


# --- The claim page ------------------------------------------------------------------------


def test_a_lead_of_a_site_taking_part_sees_the_claim_form(lead, their_offer):
    page = client_for(lead).get(reverse("federation:partner_offer", args=[their_offer.pk]))

    assert page.status_code == 200
    assert "Claim it" in page.text
    claim_form = post_forms(page.text)[reverse("federation:claim", args=[their_offer.pk])]
    assert 'name="csrfmiddlewaretoken"' in claim_form
    assert 'name="token"' in claim_form


def test_claiming_more_than_offered_shows_why_beside_the_quantity_and_writes_nothing(
    site, lead, their_offer, fake_partner
):
    page = client_for(lead).post(
        reverse("federation:claim", args=[their_offer.pk]),
        {"for_site": site.pk, "quantity": "25", "unit": "kg", "token": str(uuid.uuid4())},
    )

    assert page.status_code == 400
    assert "Only 20 kg of Rye bread is on offer; you asked for 25 kg." in page.text
    assert page.context["form"].errors["quantity"]
    assert not PartnerTransfer.objects.exists()
    assert not Outgoing.objects.filter(kind__startswith="Offer").exists()


def test_a_lead_claims_from_the_page_and_sees_the_transfer(site, lead, their_offer):
    token = str(uuid.uuid4())
    data = {"for_site": site.pk, "quantity": "5", "unit": "kg", "token": token}

    response = client_for(lead).post(reverse("federation:claim", args=[their_offer.pk]), data)
    again = client_for(lead).post(reverse("federation:claim", args=[their_offer.pk]), data)

    transfer = PartnerTransfer.objects.get()
    assert response.status_code == again.status_code == 302
    assert response["Location"] == transfer.get_absolute_url()
    assert transfer.quantity == Decimal("5000")


def test_a_lead_of_a_site_not_taking_part_cannot_claim(other_site, other_lead, their_offer):
    url = reverse("federation:partner_offer", args=[their_offer.pk])
    page = client_for(other_lead).get(url)

    assert page.status_code == 200
    assert "None of the sites you lead take part with Harbour Food Network" in page.text
    response = client_for(other_lead).post(
        reverse("federation:claim", args=[their_offer.pk]),
        {"for_site": other_site.pk, "quantity": "5", "unit": "kg", "token": str(uuid.uuid4())},
    )
    assert response.status_code == 403
    assert not PartnerTransfer.objects.exists()


def test_a_partner_card_taking_part_with_many_sites_links_to_the_offers_page(
    site, coordinator, fake_partner_with_riverside
):
    """With more than 30 of our sites taking part, a partner's card on the board links
    to the partner offer's page rather than listing every site on the card."""
    from tests.factories import SiteFactory

    partner = fake_partner_with_riverside
    assert partner.send("Update", partner.proposal(quantity="20000")).status_code == 202
    board = reverse("network:board")
    html = client_for(coordinator).get(board).content.decode()
    assert 'name="for_site"' in html.split("Offers of partner networks")[1]
    partner.row.sites.add(*(SiteFactory(name=f"Another pantry {n}") for n in range(30)))
    cards = (
        client_for(coordinator).get(board).content.decode().split("Offers of partner networks")[1]
    )
    offer = PartnerOffer.objects.get()
    assert "for_site" not in cards
    link = reverse("federation:partner_offer", args=[offer.pk])
    assert f'<a href="{link}">Claim for a site' in cards


def test_a_shared_offer_posted_goes_to_the_partner_once_with_its_date(
    site, lead, our_bread, fake_partner_with_riverside
):
    """Posting numbers the offer, holds its food, then dates it: the partner hears of
    it once, dated, not once undated and again."""
    offer(site, our_bread, "30000", by=lead, share_with_partners=True)
    [update] = outbox(fake_partner_with_riverside, "Update")
    lot = update["object"]["publishes"][0]["resourceInventoriedAs"]["lot"]
    assert lot["expirationDate"] == our_bread.best_before.isoformat()

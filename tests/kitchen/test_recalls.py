"""Recall by lot: the named food traced to every site, what is left held at once, each
site told once and asked to answer, the trace printable, the recall closed at the end."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonpot.errors import DomainError
from commonpot.models import Message
from pantry.models import Lot, LotHold, Recall, RecallSite, StockMove
from pantry.network import services as network
from pantry.services.distributions import OutLine, distribute
from pantry.services.donations import LineInput, add_donor, receive_donation
from pantry.services.recalls import Criteria, answer_recall, close_recall, start_recall
from tests.conftest import client_for
from tests.network.factories import offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomato_recall(journey, donated_tomatoes, coordinator, items):
    return start_recall(
        title="Chopped tomatoes 400 g, best before as on the notice",
        criteria=Criteria(
            item=items["tomatoes"],
            dated_from=donated_tomatoes.best_before,
            dated_until=donated_tomatoes.best_before,
        ),
        by=coordinator,
        reason="The maker found metal in one batch.",
    )


def held_lots(recall):
    return {h.lot_id: h.lot.on_hand for h in LotHold.objects.filter(recall=recall).open()}


def test_a_recall_holds_what_is_left_at_both_sites_and_tells_each_once(
    tomato_recall, journey, donated_tomatoes, site, other_site, lead, other_lead
):
    arrived, dinner = journey["arrived"], journey["dinner"]
    # 40 cans: 10 sent, 16 cooked, 14 still on the shelf; 7 of the 10 left at Eastside;
    # the chilli's 8 leftover servings carry the tomatoes too.
    assert held_lots(tomato_recall) == {
        donated_tomatoes.pk: 14,
        arrived.pk: 7,
        dinner.leftover_lot_id: 8,
    }
    assert Lot.objects.filter(on_hold=True).count() == 3
    assert set(tomato_recall.sites.values_list("site__slug", flat=True)) == {
        site.slug,
        other_site.slug,
    }
    told = Message.objects.filter(kind="pantry.recall")
    assert sorted((m.site.pk, m.to_user.pk) for m in told) == sorted(
        [(site.pk, lead.pk), (other_site.pk, other_lead.pk)]
    )


def test_held_food_cannot_be_given_out(tomato_recall, journey, other_site, other_lead, items):
    with pytest.raises(DomainError):
        distribute(
            site=other_site,
            recipient="households",
            households=1,
            given_on=other_site.today(),
            lines=[OutLine(items["tomatoes"], "1", "cans", lot=journey["arrived"])],
            by=other_lead,
        )
    journey["arrived"].refresh_from_db()
    assert journey["arrived"].on_hand == 7


@pytest.mark.parametrize(
    "criteria, field",
    [
        (Criteria(), "item"),
        (Criteria(donor_name="Corner Greengrocer"), "received_from"),
        ("tomatoes only", "code"),
        ("no such code", "code"),
    ],
)
def test_a_recall_that_names_nothing_or_no_lot_is_refused_and_nothing_held(
    journey, coordinator, items, criteria, field
):
    if criteria == "tomatoes only":
        criteria = Criteria(item=items["tomatoes"])
    elif criteria == "no such code":
        criteria = Criteria(item=items["tomatoes"], code="NOPE-1")
    with pytest.raises(DomainError) as refused:
        start_recall(title="Tomatoes", criteria=criteria, by=coordinator)
    assert refused.value.field == field
    assert not Recall.objects.exists()
    assert not LotHold.objects.open().exists()  # the cooling hold was released earlier


def test_a_lead_recalls_at_their_own_site_only(journey, lead, other_site, items, donated_tomatoes):
    on = donated_tomatoes.best_before
    criteria = Criteria(item=items["tomatoes"], dated_from=on, dated_until=on)
    with pytest.raises(DomainError):
        start_recall(title="Tomatoes", criteria=criteria, by=lead)  # network-wide
    with pytest.raises(DomainError):
        start_recall(title="Tomatoes", criteria=criteria, by=lead, site=other_site)
    recall = start_recall(title="Tomatoes", criteria=criteria, by=lead, site=donated_tomatoes.site)
    # It names Riverside's lot, and follows the food to Eastside all the same.
    assert list(recall.lots.all()) == [donated_tomatoes]
    assert journey["arrived"].pk in held_lots(recall)


def test_a_site_answers_by_discarding_what_is_held_there(
    tomato_recall, journey, other_site, other_lead, lead
):
    with pytest.raises(DomainError, match="still hold food"):
        answer_recall(tomato_recall, site=other_site, answer="none_left", by=other_lead)
    with pytest.raises(DomainError):
        answer_recall(tomato_recall, site=other_site, answer="discarded", by=lead)
    answer_recall(
        tomato_recall,
        site=other_site,
        answer="discarded",
        destination="landfill",
        by=other_lead,
        note="Seven cans found on shelf B",
    )
    arrived = journey["arrived"]
    arrived.refresh_from_db()
    assert (arrived.on_hand, arrived.on_hold) == (0, False)
    waste = StockMove.objects.get(lot=arrived, kind=StockMove.Kind.WASTED)
    assert (waste.quantity, waste.reason) == (-7, StockMove.WasteReason.RECALLED)
    part = RecallSite.objects.get(recall=tomato_recall, site=other_site)
    assert part.answer == "discarded" and part.answered_by == other_lead


def test_a_recall_closes_only_once_every_site_has_answered(
    tomato_recall, site, other_site, lead, other_lead, coordinator
):
    with pytest.raises(DomainError, match="waiting"):
        close_recall(tomato_recall, by=coordinator)
    answer_recall(tomato_recall, site=site, answer="discarded", destination="landfill", by=lead)
    answer_recall(
        tomato_recall, site=other_site, answer="discarded", destination="landfill", by=other_lead
    )
    with pytest.raises(DomainError):
        close_recall(tomato_recall, by=lead)  # a network-wide recall is the coordinator's
    closed = close_recall(tomato_recall, by=coordinator, note="All found")
    assert closed.status == Recall.Status.CLOSED
    with pytest.raises(DomainError, match="closed"):
        answer_recall(closed, site=site, answer="none_left", by=lead)


def test_the_pages_start_show_and_print_a_recall(
    journey, donated_tomatoes, coordinator, items, other_site
):
    client = client_for(coordinator)
    assert client.get("/recalls/").status_code == 200
    refused = client.post("/recalls/new/", {"title": "Tomatoes", "item": "Chopped tomatoes"})
    assert refused.status_code == 400
    assert "lot code or the dates" in refused.content.decode()
    assert not Recall.objects.exists()
    response = client.post(
        "/recalls/new/",
        {
            "title": "Tomatoes, batch with metal",
            "item": "Chopped tomatoes",
            "dated_from": donated_tomatoes.best_before.isoformat(),
            "dated_until": donated_tomatoes.best_before.isoformat(),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Recall started: 3 lots held at 2 sites" in page
    assert other_site.name in page and "Given out to 4 households" in page
    assert "Leftovers of" in page or "Cooked in Chilli and rice" in page
    recall = Recall.objects.get()
    pdf = client.get(f"/recalls/{recall.pk}/trace.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_who_sees_a_recall(tomato_recall, volunteer, other_lead, outsider):
    url = f"/recalls/{tomato_recall.pk}/"
    assert client_for(other_lead).get(url).status_code == 200
    assert client_for(volunteer).get(url).status_code == 403
    assert client_for(outsider).get("/recalls/").status_code == 403
    assert client_for(None).get(url).status_code == 302


def test_a_lead_whose_site_it_did_not_reach_does_not_see_it(tomato_recall, db):
    from commonpot.models import Membership
    from tests.factories import MembershipFactory, SiteFactory, UserFactory

    elsewhere = UserFactory(username="nell")
    MembershipFactory(user=elsewhere, site=SiteFactory(slug="far"), role=Membership.Role.LEAD)
    assert client_for(elsewhere).get(f"/recalls/{tomato_recall.pk}/").status_code == 404


def test_only_a_sites_lead_answers_for_it_on_the_page(tomato_recall, lead, other_site):
    response = client_for(lead).post(
        f"/recalls/{tomato_recall.pk}/sites/{other_site.slug}/answer/",
        {f"site{other_site.pk}-answer": "none_left"},
    )
    assert response.status_code == 403
    assert RecallSite.objects.get(site=other_site).answer == "waiting"


def test_the_recall_page_reads_the_same_queries_however_far_the_food_went(
    tomato_recall, journey, coordinator, other_site, other_lead, items
):
    client = client_for(coordinator)
    url = f"/recalls/{tomato_recall.pk}/"
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    LotHold.objects.filter(lot=journey["arrived"]).update(released_at=None)
    Lot.objects.filter(pk=journey["arrived"].pk).update(on_hold=False)
    for _ in range(4):
        distribute(
            site=other_site,
            recipient="households",
            households=2,
            given_on=other_site.today() - timedelta(days=0),
            lines=[OutLine(items["tomatoes"], Decimal("1"), "cans", lot=journey["arrived"])],
            by=other_lead,
        )
    assert queries() == before


def test_a_person_who_gave_food_is_named_only_to_the_site_they_gave_to(
    site, other_site, lead, other_lead, coordinator, items, today
):
    neighbour = add_donor(site=site, name="Jo Neighbour", kind="person")
    donation = receive_donation(
        site=site,
        donor=neighbour,
        received_on=today,
        lines=[LineInput(items["onions"], "2", "kg", today + timedelta(days=9), code="ON1")],
        by=lead,
    )
    lot = donation.lines.get().lot
    posted = offer(site, lot, Decimal("1000"), by=lead)
    transfer = network.claim_offer(offer_id=posted.pk, site=other_site, by=other_lead)
    network.accept_transfer(transfer_id=transfer.pk, by=lead)
    network.dispatch_transfer(transfer_id=transfer.pk, by=lead)
    (line,) = transfer.lines.all()
    network.receive_transfer(transfer_id=transfer.pk, by=other_lead, received={line.pk: 1000})
    recall = start_recall(
        title="Onions", criteria=Criteria(item=items["onions"], code="on1"), by=coordinator
    )
    url = f"/recalls/{recall.pk}/"
    assert "Jo Neighbour" in client_for(lead).get(url).content.decode()
    seen_elsewhere = client_for(other_lead).get(url).content.decode()
    assert "Jo Neighbour" not in seen_elsewhere and "a private donor" in seen_elsewhere

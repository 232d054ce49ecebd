"""A phone that was offline sends its queue: each form records once, however often sent.

The phone keeps each form it could not send with the form's one-time token and
sends it when the connection returns; it may send it twice (the answer was lost,
the page was reloaded mid-send). The server's token check is the guarantee, so
these tests post what the phone posts, twice, and count what was written.
"""

import uuid
from datetime import datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse

from pantry import services as pantry_services
from pantry.models import Distribution, Donation, Lot, Reservation, StockCount, StockMove
from tests.conftest import client_for
from tests.pantry.factories import rice
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import AttendanceChange, SignUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def rice_lot(site, lead):
    return pantry_services.receive(
        site=site,
        item=rice(),
        quantity=Decimal("5000"),
        by=lead,
        source="Test intake",
        best_before=site.today(),
    ).lot


@pytest.fixture
def todays_sign_up(site, volunteer):
    day = site.today()
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site, name="Cook"),
        starts_at=datetime.combine(day, time(0, 30), tzinfo=site.tz),
        ends_at=datetime.combine(day, time(3, 30), tzinfo=site.tz),
        places_taken=1,
    )
    return SignUpFactory(shift=shift, volunteer=volunteer)


def lines(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def check_in(site, sign_up, hours="2"):
    shift = sign_up.shift
    url = reverse("volunteers:check_in", args=[site.slug, shift.pk, sign_up.pk])
    return url, {"attendance": "attended", "hours": hours}


def waste(site, lot):
    url = reverse("pantry:lot_discard", args=[site.slug, lot.pk])
    return url, {"reason": "spoiled", "destination": "compost", "quantity": "1", "unit": "kg"}


def distribution(site, lot):
    url = reverse("pantry:distribution_new", args=[site.slug])
    data = {
        "recipient": "households",
        "households": "2",
        "people": "5",
        "partner": "",
        "given_on": site.today().isoformat(),
        "note": "",
        **lines("lines", [{"item": "Rice", "quantity": "1", "unit": "kg", "lot": ""}]),
    }
    return url, data


def count_line(site, lot):
    url = reverse("pantry:count_area", args=[site.slug, lot.storage])
    return url, {f"lot_{lot.pk}": "4.5", f"unit_{lot.pk}": "kg"}


def donation_line(site, lot):
    url = reverse("pantry:donation_new", args=[site.slug])
    data = {
        "donor": "",
        "received_on": site.today().isoformat(),
        "note": "",
        **lines(
            "lines",
            [
                {
                    "item": "Rice",
                    "quantity": "3",
                    "unit": "kg",
                    "date_kind": "",
                    "storage": "",
                    "best_before": "",
                }
            ],
        ),
    }
    return url, data


def written():
    """What the five forms write, counted."""
    return {
        "check-ins": AttendanceChange.objects.count(),
        "waste": StockMove.objects.filter(kind=StockMove.Kind.WASTED).count(),
        "distributions": Distribution.objects.count(),
        "counts": StockCount.objects.count(),
        "donations": Donation.objects.count(),
        "moves": StockMove.objects.count(),
    }


@pytest.mark.parametrize(
    ("form", "what"),
    [
        ("check_in", "check-ins"),
        ("waste", "waste"),
        ("distribution", "distributions"),
        ("count_line", "counts"),
        ("donation_line", "donations"),
    ],
)
def test_each_form_that_works_offline_sent_twice_with_its_token_records_once(
    form, what, site, lead, rice_lot, todays_sign_up
):
    target = todays_sign_up if form == "check_in" else rice_lot
    url, data = globals()[form](site, target)
    data["token"] = str(uuid.uuid4())
    client = client_for(lead)
    before = written()
    first = client.post(url, data)
    after_first = written()
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert after_first[what] == before[what] + 1
    assert written() == after_first
    if form != "check_in":
        lot = Lot.objects.get(pk=rice_lot.pk)
        assert lot.on_hand == sum(m.quantity for m in lot.moves.all())


def test_a_check_in_sent_again_after_a_correction_is_not_undone(site, lead, todays_sign_up):
    """The queue holds "attended 2 h" then "attended 3 h"; sent twice in order, the
    second send of the first must not put 2 h back."""
    client = client_for(lead)
    url, first = check_in(site, todays_sign_up, hours="2")
    _, second = check_in(site, todays_sign_up, hours="3")
    first["token"], second["token"] = str(uuid.uuid4()), str(uuid.uuid4())
    for _ in range(2):
        client.post(url, first)
        client.post(url, second)
    sign_up = SignUp.objects.get(pk=todays_sign_up.pk)
    assert sign_up.hours_credited == Decimal("3.00")
    assert AttendanceChange.objects.count() == 2


def test_the_same_token_with_other_figures_writes_nothing(site, lead, rice_lot):
    client = client_for(lead)
    url, data = waste(site, rice_lot)
    data["token"] = str(uuid.uuid4())
    client.post(url, data)
    changed = client.post(url, {**data, "quantity": "2"})
    assert changed.status_code == 409
    assert "already sent" in changed.content.decode()
    assert Lot.objects.get(pk=rice_lot.pk).on_hand == Decimal("4000")


@pytest.mark.slow
def test_five_hundred_queued_actions_sent_twice_record_exactly_once(
    site, lead, rice_lot, todays_sign_up
):
    """250 discards of 1 g and 250 check-ins (each correcting the hours), in order,
    then the whole queue again, as a phone does that lost the answers. Through the
    services the views call with the form's token (the test above posts each form):
    a thousand posts through the test client would take minutes of the suite."""
    from volunteers import services as volunteer_services

    queue = []
    for i in range(250):
        queue.append(("waste", uuid.uuid4(), None))
        queue.append(("check-in", uuid.uuid4(), str(1 + i % 8)))

    def send(kind, token, hours):
        if kind == "waste":
            pantry_services.discard(
                rice_lot,
                reason="spoiled",
                destination="compost",
                quantity=Decimal("1"),
                by=lead,
                token=token,
            )
        else:
            volunteer_services.record_attendance(
                sign_up_id=todays_sign_up.pk,
                by=lead,
                attendance="attended",
                hours=hours,
                token=token,
            )

    for _ in range(2):
        for action in queue:
            send(*action)
    assert StockMove.objects.filter(kind=StockMove.Kind.WASTED).count() == 250
    assert AttendanceChange.objects.count() == 250
    assert Lot.objects.get(pk=rice_lot.pk).on_hand == Decimal("4750")
    assert SignUp.objects.get(pk=todays_sign_up.pk).hours_credited == Decimal(1 + 249 % 8)


def test_a_check_in_for_a_shift_deleted_meanwhile_is_refused_and_writes_nothing(
    site, lead, todays_sign_up
):
    client = client_for(lead)
    url, data = check_in(site, todays_sign_up)
    todays_sign_up.shift.delete()
    response = client.post(url, {**data, "token": str(uuid.uuid4())})
    assert response.status_code == 404
    assert not AttendanceChange.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_queued_discard_and_check_in_arriving_at_once_record_once(
    site, lead, rice_lot, todays_sign_up
):
    """A phone sends its queue while the first send's answers are still on the way:
    copies of one form race on two web nodes. The lot's and the sign-up's row locks
    make the second look the token up after the first committed."""
    from django.db import connection

    from tests.pantry.test_concurrency import race
    from volunteers import services as volunteer_services

    if connection.vendor != "postgresql":
        pytest.skip("Concurrent sends need PostgreSQL (set DATABASE_URL).")
    waste_token, check_in_token = uuid.uuid4(), uuid.uuid4()

    def discard():
        return pantry_services.discard(
            rice_lot,
            reason="spoiled",
            destination="compost",
            quantity=Decimal("1000"),
            by=lead,
            token=waste_token,
        )

    def check_in_():
        return volunteer_services.record_attendance(
            sign_up_id=todays_sign_up.pk, by=lead, attendance="attended", token=check_in_token
        )

    discards = race(4, discard)
    check_ins = race(4, check_in_)
    assert not [r for r in discards + check_ins if isinstance(r, Exception)], discards + check_ins
    assert len({move.pk for move in discards}) == 1
    assert StockMove.objects.filter(kind=StockMove.Kind.WASTED).count() == 1
    assert Lot.objects.get(pk=rice_lot.pk).on_hand == Decimal("4000")
    assert AttendanceChange.objects.count() == 1


def test_a_saved_form_sent_by_the_phones_fetch_is_told_where_to_go_not_redirected(
    site, lead, rice_lot
):
    """offline.js sends a plain form by fetch while online (so a dropped signal keeps
    it on the phone): a saved one answers 204 with the address, and its one-time
    "saved" message waits for the page the phone then opens."""
    url, data = distribution(site, rice_lot)
    client = client_for(lead)
    data["token"] = str(uuid.uuid4())
    answer = client.post(url, data, HTTP_X_COMMONPOT_SEND="1")
    assert answer.status_code == 204
    saved = Distribution.objects.get()
    assert answer["X-Commonpot-Location"] == saved.get_absolute_url()
    page = client.get(answer["X-Commonpot-Location"]).content.decode()
    assert "Given out to" in page
    # Refused: the form with its reasons, as a browser's post gets it.
    refused = client.post(
        url, data | {"households": "0", "token": str(uuid.uuid4())}, HTTP_X_COMMONPOT_SEND="1"
    )
    assert refused.status_code == 400 and Distribution.objects.count() == 1
    # Without the header: the usual redirect.
    plain = client.post(url, data | {"token": str(uuid.uuid4())})
    assert plain.status_code == 302


# --- The driver's phone: pickups and stops of a run -----------------------------


@pytest.fixture
def run_pickup(site, other_site, lead):
    """A run from the lead's site picking up a shipment of 30 kg of rice for Eastside."""
    from datetime import timedelta

    from pantry.network import services as network
    from pantry.network.services import runs
    from tests.network.factories import tomorrow_at

    for s, (lat, lng) in ((site, ("51.45", "-2.60")), (other_site, ("51.50", "-2.50"))):
        s.latitude, s.longitude = Decimal(lat), Decimal(lng)
        s.save()
    item = rice()
    pantry_services.receive(
        site=site,
        item=item,
        quantity=Decimal("30000"),
        by=lead,
        source="Test intake",
        best_before=site.today() + timedelta(days=5),
    )
    shipment = network.propose_shipment(
        source=site,
        destination=other_site,
        lines=[network.Line(item=item, quantity=Decimal("30000"))],
        by=lead,
    )
    run = runs.plan_run(
        site=site,
        by=lead,
        day=site.today() + timedelta(days=1),
        starts_at=tomorrow_at(site, 8),
        ends_at=tomorrow_at(site, 14),
        capacity_kg="500",
    )
    pickup = runs.add_stop(
        run_id=run.pk,
        by=lead,
        kind="pickup",
        site=site,
        transfers=[shipment],
        window_from=tomorrow_at(site, 8),
        window_until=tomorrow_at(site, 10),
    )
    return pickup, shipment


def run_written():
    from pantry.network.models import Stop, StopLine, TransferLine

    return {
        "loaded": list(StopLine.objects.values_list("taken", flat=True)),
        "stops": list(Stop.objects.values_list("state", "done_at")),
        "moves": StockMove.objects.count(),
        "on the road": TransferLine.objects.count(),
        "held": sorted(
            Reservation.objects.filter(status="held").values_list("reference", "quantity")
        ),
    }


@pytest.mark.parametrize("taken", ["20", "0", ""])
def test_a_drivers_pickup_sent_twice_with_its_token_records_once(site, lead, run_pickup, taken):
    """Took part (20 of 30 kg), took none, took all: the same form twice, one pickup."""
    pickup, shipment = run_pickup
    line = pickup.lines.get()
    url = reverse("network:run_line_pickup", args=[line.pk])
    data = {"taken": taken, "unit": "kg", "token": str(uuid.uuid4())}
    client = client_for(lead)
    first = client.post(url, data)
    after_first = run_written()
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert run_written() == after_first
    assert after_first["loaded"] == [Decimal({"20": "20000", "0": "0", "": "30000"}[taken])]


def test_a_drivers_done_sent_twice_with_its_token_records_once(site, lead, run_pickup):
    pickup, _ = run_pickup
    client = client_for(lead)
    client.post(reverse("network:run_line_pickup", args=[pickup.lines.get().pk]), {})
    url = reverse("network:run_stop_finish", args=[pickup.pk])
    data = {"token": str(uuid.uuid4())}
    first = client.post(url, data)
    after_first = run_written()
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert run_written() == after_first and after_first["stops"][0][0] == "done"


def test_a_drivers_pickup_token_sent_again_with_another_amount_writes_nothing(
    site, lead, run_pickup
):
    pickup, _ = run_pickup
    url = reverse("network:run_line_pickup", args=[pickup.lines.get().pk])
    data = {"taken": "20", "unit": "kg", "token": str(uuid.uuid4())}
    client = client_for(lead)
    client.post(url, data)
    before = run_written()
    changed = client.post(url, {**data, "taken": "25"})
    assert changed.status_code == 409 and "already sent" in changed.content.decode()
    assert run_written() == before

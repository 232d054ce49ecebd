"""Pickup runs: stops ordered by the solver within windows and the van's capacity,
reordered by hand, refused with a reason when the input cannot work, and the
driver's partial pickup putting what was left behind back on offer."""

import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from commonpot.errors import DomainError
from pantry.models import Reservation
from pantry.network.models import Offer, Run, Stop, StopLine, Transfer
from pantry.network.services import runs
from tests.network.factories import tomorrow_at as _at

pytestmark = pytest.mark.django_db


def _stops(run, coordinator, bakery, site, other_site, claimed):
    _, first, second = claimed
    drop_east = runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="drop",
        site=other_site,
        window_from=_at(site, 9),
        window_until=_at(site, 13),
    )
    pickup = runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="pickup",
        site=bakery,
        transfers=[first, second],
        window_from=_at(site, 8),
        window_until=_at(site, 10),
    )
    drop_home = runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="drop",
        site=site,
        window_from=_at(site, 8),
        window_until=_at(site, 13),
    )
    return pickup, drop_east, drop_home


def test_the_solver_picks_up_before_it_drops_and_within_windows(
    run, coordinator, bakery, site, other_site, claimed
):
    pickup, drop_east, drop_home = _stops(run, coordinator, bakery, site, other_site, claimed)
    plan = runs.order_run(run_id=run.pk, by=coordinator)
    run.refresh_from_db()
    order = list(run.stops.values_list("pk", flat=True))
    assert order[0] == pickup.pk  # entered second, the bread must be loaded first
    assert set(order[1:]) == {drop_east.pk, drop_home.pk}
    assert run.ordered == Run.Order.SOLVER and run.routed_by == "straight line"
    assert run.problem == ""
    assert run.distance_km <= run.entered_distance_km
    assert plan.solve_seconds < 5
    assert all(s.eta is not None and not s.late for s in run.stops.all())


def test_a_stop_that_cannot_be_reached_in_its_window_is_named(
    run, coordinator, bakery, site, other_site, claimed
):
    _stops(run, coordinator, bakery, site, other_site, claimed)
    runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="households",
        households=3,
        address="12 Quay Street",
        latitude="52.48000",  # Birmingham: over an hour away at van speed
        longitude="-1.89000",
        window_from=_at(site, 8),
        window_until=_at(site, 8, 20),
    )
    runs.order_run(run_id=run.pk, by=coordinator)
    run.refresh_from_db()
    assert "(3 households) cannot be reached within its window" in run.problem
    assert run.stops.get(kind="households").late


def test_the_coordinator_moves_a_stop_by_hand_but_not_to_overload_the_van(
    coordinator, bakery, site, other_site, claimed, mapped
):
    small = runs.plan_run(
        site=site,
        by=coordinator,
        day=site.today(),
        starts_at=_at(site, 8),
        ends_at=_at(site, 14),
        capacity_kg="35",
    )
    _, first, second = claimed

    def add(kind, where, *transfers):
        return runs.add_stop(
            run_id=small.pk,
            by=coordinator,
            kind=kind,
            site=where,
            transfers=list(transfers),
            window_from=_at(site, 8),
            window_until=_at(site, 13),
        )

    add("pickup", bakery, first)  # 30 kg for Riverside
    add("drop", site)
    later = add("pickup", bakery, second)  # 10 kg for Eastside
    east = add("drop", other_site)
    # Both pickups before the first drop: 40 kg aboard, more than 35 kg.
    with pytest.raises(DomainError, match=r"After stop 2 \(Harbour Bakery\) .* more than its 35"):
        runs.move_stop(stop_id=later.pk, by=coordinator, up=True)
    assert list(small.stops.values_list("kind", flat=True)) == ["pickup", "drop", "pickup", "drop"]
    runs.move_stop(stop_id=east.pk, by=coordinator, up=True)
    small.refresh_from_db()
    assert small.ordered == Run.Order.HAND
    assert list(small.stops.values_list("site__name", flat=True)) == [
        "Harbour Bakery",
        "Riverside Kitchen",
        "Eastside Food Bank",
        "Harbour Bakery",
    ]
    with pytest.raises(DomainError, match="already last"):
        runs.move_stop(stop_id=later.pk, by=coordinator, up=False)


def test_bad_input_is_refused_with_its_reason(coordinator, run, site, bakery, claimed, lead):
    _, first, _ = claimed
    before = Stop.objects.count()
    cases = [
        (
            dict(kind="drop", site=site, window_from=_at(site, 10), window_until=_at(site, 9)),
            "window ends before it starts",
        ),
        (
            dict(kind="drop", site=None, window_from=_at(site, 9), window_until=_at(site, 10)),
            "Say where the stop is",
        ),
        (
            dict(
                kind="households",
                households=2,
                address="",
                window_from=_at(site, 9),
                window_until=_at(site, 10),
            ),
            "needs an address and its place on the map",
        ),
        (
            dict(
                kind="pickup",
                site=site,
                transfers=[first],
                window_from=_at(site, 9),
                window_until=_at(site, 10),
            ),
            "goes out from Harbour Bakery, not Riverside",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(DomainError, match=message):
            runs.add_stop(run_id=run.pk, by=coordinator, **kwargs)
    with pytest.raises(DomainError, match="more than the van's 20.0 kg"):
        tiny = runs.plan_run(
            site=site,
            by=coordinator,
            day=site.today(),
            starts_at=_at(site, 8),
            ends_at=_at(site, 9),
            capacity_kg="20",
        )
        runs.add_stop(
            run_id=tiny.pk,
            by=coordinator,
            kind="pickup",
            site=bakery,
            transfers=[first],
            window_from=_at(site, 8),
            window_until=_at(site, 9),
        )
    with pytest.raises(DomainError, match="van's day's window ends before it starts"):
        runs.plan_run(
            site=site,
            by=coordinator,
            day=site.today(),
            starts_at=_at(site, 9),
            ends_at=_at(site, 8),
            capacity_kg="20",
        )
    assert Stop.objects.count() == before


def test_a_partial_pickup_puts_the_rest_back_on_offer_and_dispatches_what_was_taken(
    run, coordinator, bakery, site, other_site, claimed, lead
):
    o, first, second = claimed
    pickup, _, _ = _stops(run, coordinator, bakery, site, other_site, claimed)
    line = StopLine.objects.get(stop=pickup, shipment_item__transfer=first)
    with pytest.raises(DomainError, match="only 30 kg was planned here"):
        runs.record_pickup(line_id=line.pk, by=lead, taken="31000")
    runs.record_pickup(line_id=line.pk, by=lead, taken="20000")
    o.refresh_from_db()
    first.refresh_from_db()
    assert o.status == Offer.Status.OPEN and o.remaining == Decimal("10000")
    assert Reservation.objects.get(reference=o.reference, status="held").quantity == 10000
    assert first.status == Transfer.Status.DISPATCHED
    assert first.quantity == Decimal("20000")
    assert [line.quantity for line in first.lines.all()] == [Decimal("20000")]
    with pytest.raises(DomainError, match="Record what you loaded of every line first"):
        runs.finish_stop(stop_id=pickup.pk, by=lead)
    other = StopLine.objects.get(stop=pickup, shipment_item__transfer=second)
    runs.record_pickup(line_id=other.pk, by=lead)  # took all
    runs.record_pickup(line_id=other.pk, by=lead)  # the same tap twice: once
    runs.finish_stop(stop_id=pickup.pk, by=lead)
    run.refresh_from_db()
    assert run.status == Run.Status.UNDER_WAY
    assert runs.next_stop(run).kind == "drop"


def test_someone_who_is_not_the_driver_cannot_record_a_pickup(
    run, coordinator, bakery, site, other_site, claimed, other_lead
):
    pickup, _, _ = _stops(run, coordinator, bakery, site, other_site, claimed)
    line = pickup.lines.first()
    with pytest.raises(DomainError, match="Only the run's driver"):
        runs.record_pickup(line_id=line.pk, by=other_lead, taken="1000")
    assert StopLine.objects.get(pk=line.pk).taken is None


class _FakeOsrm(BaseHTTPRequestHandler):
    """Speaks OSRM's /table: every leg 600 s and 7 km."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        type(self).seen.append(self.path)
        coords = self.path.split("/table/v1/driving/")[1].split("?")[0].split(";")
        n = len(coords)
        body = {
            "code": "Ok",
            "durations": [[0 if i == j else 600 for j in range(n)] for i in range(n)],
            "distances": [[0 if i == j else 7000 for j in range(n)] for i in range(n)],
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_with_a_routing_server_the_run_uses_its_road_table(
    run, coordinator, bakery, site, other_site, claimed, settings
):
    server = HTTPServer(("127.0.0.1", 0), _FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.ROUTING_URL = f"http://127.0.0.1:{server.server_port}"
        _stops(run, coordinator, bakery, site, other_site, claimed)
        runs.order_run(run_id=run.pk, by=coordinator)
    finally:
        server.shutdown()
    run.refresh_from_db()
    assert run.routed_by == "routing server"
    assert run.distance_km == Decimal("28.0")  # depot, three stops, back: four legs of 7 km
    assert "annotations=duration,distance" in _FakeOsrm.seen[-1]


def test_an_unreachable_routing_server_is_a_clear_refusal(
    run, coordinator, bakery, site, other_site, claimed, settings
):
    settings.ROUTING_URL = "http://127.0.0.1:9"
    _stops(run, coordinator, bakery, site, other_site, claimed)
    with pytest.raises(DomainError, match="The routing server did not answer"):
        runs.order_run(run_id=run.pk, by=coordinator)
    run.refresh_from_db()
    assert run.ordered == Run.Order.ENTERED


def test_the_pages_plan_order_and_drive_a_run(
    coordinator, lead, bakery, site, other_site, claimed, mapped
):
    from tests.conftest import client_for

    _, first, second = claimed
    client = client_for(coordinator)
    day = site.today() + timedelta(days=1)
    response = client.post(
        "/network/runs/",
        {
            "site": site.pk,
            "day": day.isoformat(),
            "starts": "08:00",
            "ends": "07:00",
            "capacity_kg": "500",
        },
    )
    assert response.status_code == 400
    assert "window ends before it starts" in response.content.decode()
    response = client.post(
        "/network/runs/",
        {
            "site": site.pk,
            "day": day.isoformat(),
            "starts": "08:00",
            "ends": "14:00",
            "capacity_kg": "500",
            "chilled_kg": "50",
        },
    )
    run = Run.objects.get()
    assert response.status_code == 302
    url = f"/network/runs/{run.pk}/"
    for data in (
        {"kind": "drop", "site": other_site.pk, "window_from": "09:00", "window_until": "13:00"},
        {
            "kind": "pickup",
            "site": bakery.pk,
            "transfers": [first.pk, second.pk],
            "window_from": "08:00",
            "window_until": "10:00",
        },
        {"kind": "drop", "site": site.pk, "window_from": "08:00", "window_until": "13:00"},
    ):
        assert client.post(url + "stops/", data).status_code == 302
    bad = client.post(
        url + "stops/", {"kind": "drop", "window_from": "09:00", "window_until": "10:00"}
    )
    assert bad.status_code == 400 and "Say where the stop is" in bad.content.decode()
    assert client.post(url + "order/").status_code == 302
    page = client.get(url).content.decode()
    assert "Pick up: Harbour Bakery" in page and "Move down" in page
    first_stop = run.stops.order_by("position").first()
    assert first_stop.kind == "pickup"

    driver = client_for(lead)  # a lead of the run's site
    page = driver.get(url + "drive/").content.decode()
    assert "Harbour Bakery" in page and "geo:51.46000,-2.58000" in page
    assert "openstreetmap.org/?mlat=51.46000" in page
    line = first_stop.lines.get(shipment_item__transfer=first)
    page = driver.get(url + f"drive/?part={line.pk}").content.decode()
    assert "Took (of 30 kg)" in page
    response = driver.post(f"/network/stop-lines/{line.pk}/pickup/", {"taken": "20", "unit": "kg"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.taken == Decimal("20000")
    too_much = first_stop.lines.get(shipment_item__transfer=second)
    response = driver.post(
        f"/network/stop-lines/{too_much.pk}/pickup/", {"taken": "11", "unit": "kg"}
    )
    assert response.status_code == 400
    assert "only 10 kg was planned here" in response.content.decode()


def test_the_days_runs_show_on_the_dashboard_and_the_transfers_page_with_each_stops_state(
    coordinator, lead, bakery, site, other_site, claimed, mapped
):
    from django.utils import timezone

    from tests.conftest import client_for

    now = timezone.now()
    today = runs.plan_run(
        site=site,
        by=coordinator,
        day=timezone.localdate(),
        starts_at=now,
        ends_at=now + timedelta(hours=6),
        capacity_kg="500",
    )
    _, first, _ = claimed
    pickup = runs.add_stop(
        run_id=today.pk,
        by=coordinator,
        kind="pickup",
        site=bakery,
        transfers=[first],
        window_from=now,
        window_until=now + timedelta(hours=2),
    )
    runs.add_stop(
        run_id=today.pk,
        by=coordinator,
        kind="drop",
        site=site,
        window_from=now,
        window_until=now + timedelta(hours=5),
    )
    runs.record_pickup(line_id=pickup.lines.get().pk, by=lead)
    runs.finish_stop(stop_id=pickup.pk, by=lead)
    for user, url in ((coordinator, "/network/dashboard/"), (lead, "/network/transfers/")):
        page = client_for(user).get(url).content.decode()
        # In the page itself, not in its <title> (the dashboard once had it there).
        title, main = page.split("</title>", 1)
        assert "Run #" not in title
        assert f"Run #{today.pk}" in main
        assert "Pick up: Harbour Bakery — Done" in main
        assert "Drop at a site: Riverside Kitchen — To do" in main

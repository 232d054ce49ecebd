"""Ordering a pickup run's stops: travel times, the solver, and checking an order.

Travel between stops is straight-line (haversine) by default, driven at
`STRAIGHT_LINE_KMH` with a detour factor; when `settings.ROUTING_URL` names an
OSRM server, its /table service gives real road durations and distances.

The order is computed by VROOM (through pyvroom): each pickup's food for a site
that the run also drops at is a pickup-and-delivery pair, so the solver loads
before it unloads; the van's capacity is two amounts (all food, chilled food);
each stop's window is a time window. What VROOM cannot fit is "unassigned": the
run keeps those stops last and says which one cannot be reached in time.

A hand-made order is checked the same way (`evaluate`): arrival times, the load
after every stop, and the first stop reached after its window closes.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from pantry.models import Storage
from pantry.network.matches import haversine_km

STRAIGHT_LINE_KMH = 30.0
DETOUR = 1.3  # roads are longer than the crow's line, in town about a third
UNIT_G = 100  # the solver counts load in 100 g steps (integers)


class RoutingError(DomainError):
    pass


@dataclass
class Matrix:
    seconds: list[list[int]]
    metres: list[list[int]]
    routed_by: str


def straight_line(points: list[tuple[float, float]]) -> Matrix:
    metres = [
        [round(haversine_km(a[0], a[1], b[0], b[1]) * 1000 * DETOUR) for b in points]
        for a in points
    ]
    speed = STRAIGHT_LINE_KMH / 3.6  # m/s
    seconds = [[round(m / speed) for m in row] for row in metres]
    return Matrix(seconds, metres, "straight line")


def osrm_table(base_url: str, points: list[tuple[float, float]], timeout: float = 10) -> Matrix:
    """Durations and distances from an OSRM server's /table service."""
    coords = ";".join(f"{lng:.6f},{lat:.6f}" for lat, lng in points)
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coords}?annotations=duration,distance"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured URL)
            data = json.loads(response.read().decode())
    except (urllib.error.URLError, TimeoutError, ValueError, OSError) as e:
        raise RoutingError(
            _("The routing server did not answer (%(error)s).") % {"error": e}
        ) from None
    if data.get("code") != "Ok" or "durations" not in data:
        raise RoutingError(
            _("The routing server refused the request (%(code)s).") % {"code": data.get("code")}
        )
    durations = data["durations"]
    distances = data.get("distances")
    n = len(points)
    if len(durations) != n or any(len(row) != n for row in durations):
        raise RoutingError(_("The routing server answered a table of the wrong size."))
    seconds = [[round(v) if v is not None else 10**7 for v in row] for row in durations]
    if distances is None:
        distances = [[v * STRAIGHT_LINE_KMH / 3.6 for v in row] for row in seconds]
    metres = [[round(v) if v is not None else 10**8 for v in row] for row in distances]
    return Matrix(seconds, metres, "routing server")


def matrix_for(points: list[tuple[float, float]]) -> Matrix:
    url = getattr(settings, "ROUTING_URL", "")
    if url:
        return osrm_table(url, points)
    return straight_line(points)


# --- The problem, independent of the database -----------------------------------


@dataclass
class Place:
    """One stop as the solver sees it."""

    key: int  # the stop's id
    name: str
    point: tuple[float, float]
    opens: int  # seconds after the van leaves
    closes: int
    service: int
    # Load picked up here, per site it goes to (None: to no drop of this run).
    loads: dict[int | None, tuple[int, int]] = field(default_factory=dict)
    drops_for: int | None = None  # a drop: the site whose food is unloaded here


@dataclass
class Plan:
    order: list[int]  # stop keys
    arrivals: dict[int, int]  # seconds after leaving
    metres: int
    late: list[int]  # stop keys not reachable in their window
    over: tuple[int, str] | None = None  # (stop key, "kg" or "chilled") where the van is full
    solve_seconds: float = 0.0


def amounts(weight_g: Decimal | None, storage: str) -> tuple[int, int]:
    units = math.ceil((weight_g or 0) / UNIT_G)
    return units, units if storage in (Storage.CHILLED, Storage.FROZEN) else 0


def evaluate(
    depot: tuple[float, float],
    places: list[Place],
    order: list[int],
    matrix: Matrix,
    capacity: tuple[int, int],
    day_end: int,
) -> Plan:
    """Arrival at each stop in `order` (waiting for a window to open), the stops
    reached after their window closes, the distance, and where the van is overfull."""
    index = {p.key: i + 1 for i, p in enumerate(places)}
    by_key = {p.key: p for p in places}
    t, at, metres = 0, 0, 0
    arrivals: dict[int, int] = {}
    late: list[int] = []
    load = [0, 0]
    aboard: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    over = None
    for key in order:
        place, i = by_key[key], index[key]
        t += matrix.seconds[at][i]
        metres += matrix.metres[at][i]
        t = max(t, place.opens)
        arrivals[key] = t
        if t > place.closes:
            late.append(key)
        t += place.service
        at = i
        if place.drops_for is not None:
            kg, chilled = aboard.pop(place.drops_for, [0, 0])
            load[0] -= kg
            load[1] -= chilled
        for to, (kg, chilled) in place.loads.items():
            load[0] += kg
            load[1] += chilled
            aboard[to][0] += kg
            aboard[to][1] += chilled
        if over is None and load[0] > capacity[0]:
            over = (key, "kg")
        elif over is None and load[1] > capacity[1]:
            over = (key, "chilled")
    t += matrix.seconds[at][0]
    metres += matrix.metres[at][0]
    if t > day_end and order:
        late.append(order[-1]) if order[-1] not in late else None
    return Plan(order=list(order), arrivals=arrivals, metres=metres, late=late, over=over)


def solve(
    depot: tuple[float, float],
    places: list[Place],
    matrix: Matrix,
    capacity: tuple[int, int],
    day_end: int,
    exploration: int = 5,
) -> Plan:
    """The order VROOM finds; stops it cannot fit go last, as entered."""
    import vroom

    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=matrix.seconds)
    problem.set_distances_matrix(profile="car", matrix_input=matrix.metres)
    problem.add_vehicle(
        vroom.Vehicle(
            1,
            start=0,
            end=0,
            capacity=vroom.Amount(list(capacity)),
            time_window=vroom.TimeWindow(0, max(day_end, 1)),
        )
    )
    owner: dict[int, int] = {}  # task id -> stop key
    drops = {p.drops_for: p for p in places if p.drops_for is not None}
    paired: set[int] = set()
    next_id = 1

    def window(p: Place):
        return [vroom.TimeWindow(max(0, p.opens), max(0, p.opens, p.closes))]

    for n, p in enumerate(places, start=1):
        for to, (kg, chilled) in p.loads.items():
            drop = drops.get(to)
            if drop is None:
                continue
            pick_id, drop_id = next_id, next_id + 1
            next_id += 2
            owner[pick_id], owner[drop_id] = p.key, drop.key
            paired |= {p.key, drop.key}
            problem.add_shipment(
                vroom.ShipmentStep(
                    pick_id, location=n, default_setup=p.service, time_windows=window(p)
                ),
                vroom.ShipmentStep(
                    drop_id,
                    location=places.index(drop) + 1,
                    default_setup=drop.service,
                    time_windows=window(drop),
                ),
                amount=vroom.Amount([kg, chilled]),
            )
    for n, p in enumerate(places, start=1):
        unpaired = {to: a for to, a in p.loads.items() if to not in drops}
        if p.key in paired and not unpaired:
            continue
        kg = sum(a[0] for a in unpaired.values())
        chilled = sum(a[1] for a in unpaired.values())
        owner[next_id] = p.key
        problem.add_job(
            vroom.Job(
                next_id,
                location=n,
                default_setup=p.service,
                pickup=vroom.Amount([kg, chilled]),
                delivery=vroom.Amount([0, 0]),
                time_windows=window(p),
            )
        )
        next_id += 1
    started = time.perf_counter()
    solution = problem.solve(exploration_level=exploration, nb_threads=2)
    took = time.perf_counter() - started
    order: list[int] = []
    routes = solution.routes
    for step_type, task in zip(routes["type"], routes["id"], strict=True):
        if step_type in ("start", "end") or task is None or str(task) == "<NA>":
            continue
        key = owner[int(task)]
        if key not in order:
            order.append(key)
    unplaced = [p.key for p in places if p.key not in order]
    plan = evaluate(depot, places, order + unplaced, matrix, capacity, day_end)
    plan.late = sorted(set(plan.late) | set(unplaced), key=(order + unplaced).index)
    plan.solve_seconds = took
    return plan


def seconds_after(start: datetime, moment: datetime) -> int:
    return int((moment - start).total_seconds())


def moment(start: datetime, seconds: int) -> datetime:
    return start + timedelta(seconds=seconds)

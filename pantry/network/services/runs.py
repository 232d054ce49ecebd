"""Pickup runs: plan a van's day, add stops, order them (the solver, or by hand).

Each function is one transaction; a refusal raises DomainError and writes nothing.
The run row is locked first, then its stops, so two people reordering one run
take turns.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from commonpot.numbers import parse_decimal
from pantry.models import Donor, Item, Storage
from pantry.network import routing
from pantry.network.models import ShipmentItem, Transfer
from pantry.network.models_runs import Run, Stop, StopLine
from pantry.network.services.common import require_manager
from pantry.units import display_weight

if TYPE_CHECKING:
    from commonpot.models import User

MAX_STOPS = 60


def _check_window(opens: datetime | None, closes: datetime | None, *, stop: bool) -> None:
    """A window that starts and then ends: a stop's, or the van's day (not `stop`)."""
    if opens is None or closes is None:
        if stop:
            text = _("Give the stop's window: from and until.")
        else:
            text = _("Give the van's day's window: from and until.")
        raise DomainError(text, field="window_from")
    if closes <= opens:
        if stop:
            text = _("The stop's window ends before it starts: check the times.")
        else:
            text = _("The van's day's window ends before it starts: check the times.")
        raise DomainError(text, field="window_until")


@transaction.atomic
def plan_run(
    *,
    site: Site,
    by: User | None,
    day,
    starts_at: datetime,
    ends_at: datetime,
    capacity_kg,
    chilled_kg=0,
    note: str = "",
) -> Run:
    """A van's day from `site` (where it starts and ends): empty, stops come next."""
    require_manager(
        by, site, _("Only leads of %(site)s and coordinators can plan runs from this site.")
    )
    _check_window(starts_at, ends_at, stop=False)
    capacity = parse_decimal(
        capacity_kg,
        field="capacity_kg",
        label=_("the van's capacity"),
        ceiling=Decimal(99999),
        places=1,
    )
    chilled = parse_decimal(
        chilled_kg or 0,
        places=1,
        field="chilled_kg",
        label=_("the chilled share"),
        ceiling=Decimal(99999),
        zero_allowed=True,
    )
    if chilled > capacity:
        raise DomainError(
            _("The chilled share (%(chilled)s kg) is more than the van holds (%(capacity)s kg).")
            % {"chilled": chilled, "capacity": capacity},
            field="chilled_kg",
        )
    if site.latitude is None or site.longitude is None:
        raise DomainError(
            _(
                "%(site)s has no place on the map: give it its coordinates (Settings) so the "
                "run can start there."
            )
            % {"site": site.name},
            field="site",
        )
    return Run.objects.create(
        site=site,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity_kg=capacity,
        chilled_kg=chilled,
        note=note.strip()[:300],
        created_by=by,
    )


def lock_run(run_id: int) -> Run:
    run = (
        Run.objects.select_for_update(of=("self",)).select_related("site").filter(pk=run_id).first()
    )
    if run is None:
        raise DomainError(_("This run no longer exists."))
    return run


def _require_planner(by, run: Run) -> None:
    require_manager(by, run.site, _("Only leads of %(site)s and coordinators can plan this run."))
    if run.status == Run.Status.DONE:
        raise DomainError(_("This run is done; plan a new one."))


def _weight(item: Item, quantity: Decimal) -> Decimal:
    return item.weight_g(quantity) or Decimal(0)


def _check_load(run: Run, lines: list[StopLine], field: str) -> None:
    """What one pickup loads fits the van, and its chilled share the van's cold part."""
    weight = sum((_weight(sl.item, sl.planned) for sl in lines), Decimal(0))
    if weight > run.capacity_kg * 1000:
        raise DomainError(
            _(
                "That is %(weight)s to load, more than the van's %(capacity)s kg: split it over "
                "two runs."
            )
            % {"weight": display_weight(weight), "capacity": run.capacity_kg},
            field=field,
        )
    chilled = sum(
        (
            _weight(sl.item, sl.planned)
            for sl in lines
            if sl.item.storage in (Storage.CHILLED, Storage.FROZEN)
        ),
        Decimal(0),
    )
    if chilled > run.chilled_kg * 1000:
        raise DomainError(
            _(
                "That is %(weight)s of chilled or frozen food, more than the van keeps cold "
                "(%(chilled)s kg)."
            )
            % {"weight": display_weight(chilled), "chilled": run.chilled_kg},
            field=field,
        )


def _donor_lines(by, donor: Donor, donated: list[tuple[Item, Decimal]]) -> list[StopLine]:
    """A donor's food to load: given to the donor's site, checked as its intake would be
    (the site stores it), so that the drop cannot be refused later."""
    from pantry.network.services.common import check_can_store, positive

    require_manager(
        by,
        donor.site,
        _("Only leads of %(site)s and coordinators can plan pickups from %(site)s's donors."),
    )
    if not donated:
        raise DomainError(
            _("Say what to pick up from %(donor)s.") % {"donor": donor.name}, field="donated"
        )
    lines = []
    for item, quantity in donated:
        check_can_store(donor.site, item.storage, item)
        lines.append(StopLine(item=item, planned=positive(quantity, field="donated")))
    return lines


@transaction.atomic
def add_stop(
    *,
    run_id: int,
    by: User | None,
    kind: str,
    window_from: datetime | None,
    window_until: datetime | None,
    site: Site | None = None,
    transfers: list[Transfer] | None = None,
    donor: Donor | None = None,
    donated: list[tuple[Item, Decimal]] | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    households: int | None = None,
    service_minutes: int = 10,
) -> Stop:
    """A stop at the end of the run's order (order the run again to place it).

    A pickup at a site carries the items of the accepted transfers it sends that
    are named; a pickup at a `donor` (not a site) carries `donated` food (item,
    quantity in its base unit) for the donor's site, at the stop's address and
    place on the map; a drop at a site unloads what the run carries there;
    households get food by count, at an address with its place on the map (no
    name)."""
    run = lock_run(run_id)
    _require_planner(by, run)
    if kind not in Stop.Kind.values:
        raise DomainError(_("Choose what the stop is: pick up, drop, or households."), field="kind")
    _check_window(window_from, window_until, stop=True)
    if run.stops.count() >= MAX_STOPS:
        raise DomainError(
            _("A run has at most %(max)s stops; plan a second run.") % {"max": MAX_STOPS}
        )
    if donor is not None and kind != Stop.Kind.PICKUP:
        raise DomainError(_("Only a pickup can be at a donor."), field="donor")
    stop = Stop(run=run, kind=kind, window_from=window_from, window_until=window_until)
    stop.service_minutes = max(0, min(int(service_minutes or 0), 240))
    if kind == Stop.Kind.HOUSEHOLDS:
        if not households or int(households) < 1:
            raise DomainError(
                _("Say how many households the stop delivers to."), field="households"
            )
        if not address.strip() or latitude in (None, "") or longitude in (None, ""):
            raise DomainError(
                _(
                    "A household stop needs an address and its place on the map "
                    "(latitude and longitude)."
                ),
                field="address",
            )
        stop.households = min(int(households), 999)
        stop.address = address.strip()[:200]
        stop.latitude = _coordinate(latitude, 90)
        stop.longitude = _coordinate(longitude, 180)
    elif kind == Stop.Kind.PICKUP and donor is not None:
        if site is not None:
            raise DomainError(_("A pickup is at a site or at a donor, not both."), field="donor")
        # Donors keep an address but no place on the map: the stop is given one.
        stop.donor = donor
        stop.address = (address.strip() or " ".join(donor.address.split()))[:200]
        if latitude in (None, "") or longitude in (None, ""):
            raise DomainError(
                _(
                    "%(donor)s has no place on the map: give the stop's latitude and "
                    "longitude so the run can be routed."
                )
                % {"donor": donor.name},
                field="latitude",
            )
        stop.latitude = _coordinate(latitude, 90)
        stop.longitude = _coordinate(longitude, 180)
    else:
        if site is None:
            raise DomainError(_("Say where the stop is: choose the site."), field="site")
        if site.latitude is None or site.longitude is None:
            raise DomainError(
                _("%(site)s has no place on the map: give it its coordinates first.")
                % {"site": site.name},
                field="site",
            )
        stop.site = site
    stop.position = stop.entered = run.stops.count()
    lines: list[StopLine] = []
    if stop.donor is not None:
        lines = _donor_lines(by, donor, donated or [])
        _check_load(run, lines, "donated")
    elif kind == Stop.Kind.PICKUP:
        # As they are now, not as the form loaded them.
        chosen = list(
            Transfer.objects.filter(pk__in=[t.pk for t in transfers or []])
            .select_related("source")
            .order_by("pk")
        )
        for t in chosen:
            if t.source_id != site.pk:
                raise DomainError(
                    _("Transfer #%(number)s goes out from %(source)s, not %(site)s.")
                    % {"number": t.pk, "source": t.source.name, "site": site.name},
                    field="transfers",
                )
            if t.status != Transfer.Status.ACCEPTED:
                raise DomainError(
                    _(
                        "Transfer #%(number)s is %(status)s: only accepted transfers (food held "
                        "for them) can be picked up."
                    )
                    % {"number": t.pk, "status": t.get_status_display().lower()},
                    field="transfers",
                )
        taken = set(
            StopLine.objects.filter(shipment_item__transfer__in=chosen).values_list(
                "shipment_item__transfer_id", flat=True
            )
        )
        if taken:
            raise DomainError(
                _("Transfer #%(number)s is already on a run's pickup.") % {"number": min(taken)},
                field="transfers",
            )
        items = ShipmentItem.objects.filter(transfer__in=chosen).select_related("item")
        lines = [StopLine(shipment_item=si, item=si.item, planned=si.quantity) for si in items]
        _check_load(run, lines, "transfers")
    stop.save()
    for line in lines:
        line.stop = stop
    StopLine.objects.bulk_create(lines)
    return stop


def _coordinate(value, limit: int) -> Decimal:
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.00001"))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        raise DomainError(
            _("That place is not on the map: check its coordinates."), field="address"
        )
    return number


# --- Ordering -------------------------------------------------------------------


def stops_of(run: Run) -> list[Stop]:
    return list(
        run.stops.select_related("site", "donor__site").prefetch_related(
            "lines__item", "lines__shipment_item__transfer__destination"
        )
    )


def places_of(run: Run, stops: list[Stop]) -> list[routing.Place]:
    places = []
    for stop in stops:
        point = stop.point
        if point is None:
            raise DomainError(_("%(place)s has no place on the map.") % {"place": stop.place_name})
        loads: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
        for line in stop.lines.all():
            qty = line.planned if line.taken is None else line.taken
            kg, chilled = routing.amounts(line.item.weight_g(qty), line.item.storage)
            loads[line.bound_for_id][0] += kg
            loads[line.bound_for_id][1] += chilled
        places.append(
            routing.Place(
                key=stop.pk,
                name=stop.place_name,
                point=point,
                opens=routing.seconds_after(run.starts_at, stop.window_from),
                closes=routing.seconds_after(run.starts_at, stop.window_until),
                service=stop.service_minutes * 60,
                loads={to: (a[0], a[1]) for to, a in loads.items()},
                drops_for=stop.site_id if stop.kind == Stop.Kind.DROP else None,
            )
        )
    return places


def capacity_of(run: Run) -> tuple[int, int]:
    return (
        int(run.capacity_kg * 1000 / routing.UNIT_G),
        int(run.chilled_kg * 1000 / routing.UNIT_G),
    )


def _problem(run: Run, plan: routing.Plan, stops: list[Stop]) -> str:
    names = {s.pk: s.place_name for s in stops}
    position = {key: n for n, key in enumerate(plan.order, start=1)}
    if plan.over is not None:
        key, what = plan.over
        stop = {"n": position[key], "place": names[key]}
        if what == "chilled":
            return _(
                "After stop %(n)s (%(place)s) the van would carry more than its %(kg)s kg chilled."
            ) % {**stop, "kg": run.chilled_kg}
        return _("After stop %(n)s (%(place)s) the van would carry more than its %(kg)s kg.") % {
            **stop,
            "kg": run.capacity_kg,
        }
    if plan.late:
        key = plan.late[0]
        stop = {"n": position[key], "place": names[key], "more": len(plan.late) - 1}
        if len(plan.late) > 1:
            return (
                ngettext(
                    "Stop %(n)s (%(place)s) cannot be reached within its window "
                    "(and %(more)s more).",
                    "Stop %(n)s (%(place)s) cannot be reached within its window "
                    "(and %(more)s more).",
                    len(plan.late) - 1,
                )
                % stop
            )
        return _("Stop %(n)s (%(place)s) cannot be reached within its window.") % stop
    return ""


def _save_plan(run: Run, stops: list[Stop], plan: routing.Plan) -> None:
    by_pk = {s.pk: s for s in stops}
    late = set(plan.late)
    for n, key in enumerate(plan.order):
        stop = by_pk[key]
        stop.position = n
        stop.eta = (
            routing.moment(run.starts_at, plan.arrivals[key]) if key in plan.arrivals else None
        )
        stop.late = key in late
    Stop.objects.bulk_update(stops, ["position", "eta", "late"])
    run.distance_km = Decimal(plan.metres / 1000).quantize(Decimal("0.1"))
    run.problem = _problem(run, plan, stops)[:300]


def _setting_out(run: Run) -> tuple[list[Stop], list[routing.Place], routing.Matrix, int]:
    stops = stops_of(run)
    if not stops:
        raise DomainError(_("Add the run's stops first."))
    places = places_of(run, stops)
    depot = (float(run.site.latitude), float(run.site.longitude))
    matrix = routing.matrix_for([depot, *(p.point for p in places)])
    day_end = routing.seconds_after(run.starts_at, run.ends_at)
    return stops, places, matrix, day_end


@transaction.atomic
def order_run(*, run_id: int, by: User | None, exploration: int = 5) -> routing.Plan:
    """Let the solver order the stops; the run says which it cannot fit in time."""
    run = lock_run(run_id)
    _require_planner(by, run)
    stops, places, matrix, day_end = _setting_out(run)
    depot = (float(run.site.latitude), float(run.site.longitude))
    entered = sorted(stops, key=lambda s: s.entered)
    as_entered = routing.evaluate(
        depot, places, [s.pk for s in entered], matrix, capacity_of(run), day_end
    )
    plan = routing.solve(depot, places, matrix, capacity_of(run), day_end, exploration)
    _save_plan(run, stops, plan)
    run.entered_distance_km = Decimal(as_entered.metres / 1000).quantize(Decimal("0.1"))
    run.ordered = Run.Order.SOLVER
    run.routed_by = matrix.routed_by
    run.save(
        update_fields=["distance_km", "entered_distance_km", "problem", "ordered", "routed_by"]
    )
    return plan


@transaction.atomic
def move_stop(*, stop_id: int, by: User | None, up: bool) -> Run:
    """Swap a stop with the one before (`up`) or after it. An order that overloads
    the van is refused; one that misses a window is kept, and the run says so."""
    stop = Stop.objects.filter(pk=stop_id).select_related("run").first()
    if stop is None:
        raise DomainError(_("This stop no longer exists."))
    run = lock_run(stop.run_id)
    _require_planner(by, run)
    stops, places, matrix, day_end = _setting_out(run)
    order = [s.pk for s in stops]
    i = order.index(stop.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(order):
        raise DomainError(
            _("That stop is already first.") if up else _("That stop is already last.")
        )
    order[i], order[j] = order[j], order[i]
    depot = (float(run.site.latitude), float(run.site.longitude))
    plan = routing.evaluate(depot, places, order, matrix, capacity_of(run), day_end)
    if plan.over is not None:
        raise DomainError(
            _("%(problem)s Keep the order, or drop food first.")
            % {"problem": _problem(run, plan, stops)}
        )
    _save_plan(run, stops, plan)
    run.ordered = Run.Order.HAND
    run.routed_by = matrix.routed_by
    run.save(update_fields=["distance_km", "problem", "ordered", "routed_by"])
    return run


# --- On the road: the driver ---------------------------------------------------

RUN_DRIVERS = "run_drivers"


def drivers_of(run: Run) -> set[int]:
    """The users driving the run: the volunteers app answers through the registry
    (the driver shifts linked to the run), as the network cannot import it."""
    from commonpot.registry import registry

    ids: set[int] = set()
    for fill in registry.fillers(RUN_DRIVERS):
        ids |= set(fill(run))
    return ids


def may_drive(user, run: Run) -> bool:
    from commonpot.permissions import can_manage_site

    if user is None or not user.is_authenticated:
        return False
    return can_manage_site(user, run.site) or user.pk in drivers_of(run)


def _require_driver(by, run: Run, *, done_ok: bool = False) -> None:
    if not may_drive(by, run):
        raise DomainError(
            _("Only the run's driver, leads of %(site)s and coordinators can record its stops.")
            % {"site": run.site.name}
        )
    if run.status == Run.Status.DONE and not done_ok:
        raise DomainError(_("This run is done."))


def _give_back(transfer: Transfer, si: ShipmentItem, left: Decimal, by) -> None:
    """Food left behind at a pickup: no longer held for the transfer; back on the
    offer it was claimed from while that offer is open, else free at the site.
    The last-expiring food stays behind, so the van carries what is soonest due."""
    from django.utils import timezone

    from pantry import services as pantry
    from pantry.network.models import Offer
    from pantry.network.services.common import holds_for, lock_offer

    offer = lock_offer(transfer.offer_id) if transfer.offer_id else None
    reopen = (
        offer is not None
        and offer.status in (Offer.Status.OPEN, Offer.Status.TAKEN)
        and offer.closes_at > timezone.now()
    )
    holds = [h for h in holds_for(transfer.reference) if h.lot.item_id == si.item_id]
    for hold in reversed(holds):
        if left <= 0:
            break
        part = min(left, hold.quantity)
        pantry.release_reservation(hold)
        if hold.quantity - part > 0:
            pantry.reserve_stock(
                site=transfer.source,
                item=si.item,
                quantity=hold.quantity - part,
                reference=transfer.reference,
                by=by,
                lot=hold.lot,
            )
        if reopen:
            pantry.reserve_stock(
                site=transfer.source,
                item=si.item,
                quantity=part,
                reference=offer.reference,
                by=by,
                lot=hold.lot,
            )
            offer.remaining += part
        left -= part
    if left > 0:
        raise DomainError(_("Less food is held for the transfer than the run planned to load."))
    if reopen:
        offer.status, offer.closed_at = Offer.Status.OPEN, None
        offer.save(update_fields=["remaining", "status", "closed_at"])


@transaction.atomic
def record_pickup(
    *,
    line_id: int,
    by: User | None,
    taken=None,
    temperature_c: Decimal | None = None,
    token: UUID | None = None,
) -> StopLine:
    """The driver loads a line: all of it (`taken` None), part ("took 30 of 40 kg") or
    none ("took 0": nothing was there to take).

    What is left behind is no longer held for the transfer and goes back on its
    offer. Once every line of a transfer at the stop is loaded, the transfer is
    dispatched (chilled or frozen food with its temperature at pickup); when none
    of it was loaded, it is called off instead. A donor's food is not held
    anywhere: what is left stays with the donor.

    The same `token` (the form's, sent again from a phone's offline queue) records
    once, and answers with the line as the first send left it."""
    from pantry.network.services.common import lock_transfer
    from pantry.units import display

    line = StopLine.objects.select_related("stop").filter(pk=line_id).first()
    if line is None:
        raise DomainError(_("This line is no longer on the run."))
    run = lock_run(line.stop.run_id)
    content = {"taken": taken, "temperature_c": temperature_c}
    # After the run's lock: a second copy arriving at once finds the first's token.
    if (earlier := already_recorded(StopLine, token, content=content, pk=line_id)) is not None:
        return earlier
    _require_driver(by, run)
    transfer = lock_transfer(line.shipment_item.transfer_id) if line.shipment_item_id else None
    line = (
        StopLine.objects.select_for_update(of=("self",))
        .select_related("stop", "item", "shipment_item")
        .get(pk=line_id)
    )
    item = line.item
    amount = (
        line.planned
        if taken is None
        else parse_decimal(
            taken,
            field="taken",
            label=_("what you took"),
            ceiling=Decimal(10**9),
            zero_allowed=True,
        )
    )
    if line.taken is not None:
        if amount == line.taken:
            return line  # the same tap twice, or the same form sent again
        raise DomainError(
            _("%(amount)s of %(item)s was already recorded as loaded here.")
            % {"amount": display(line.taken, item), "item": item.name}
        )
    if amount > line.planned:
        raise DomainError(
            _(
                "You took %(took)s of %(item)s, but only %(planned)s was planned here: record "
                "at most that."
            )
            % {"took": display(amount, item), "item": item.name, "planned": line.planned_display},
            field="taken",
        )
    if transfer is not None:
        _load_for_transfer(line, transfer, amount, by, temperature_c)
    line.taken = amount
    fields = tokened(token, content)
    for name, value in fields.items():
        setattr(line, name, value)
    line.save(update_fields=["taken", *fields])
    if transfer is not None:
        _dispatch_when_loaded(line, transfer, by, temperature_c)
    return line


def _load_for_transfer(line: StopLine, transfer: Transfer, amount: Decimal, by, temperature_c):
    if transfer.status != Transfer.Status.ACCEPTED:
        raise DomainError(
            _("Transfer #%(number)s is %(status)s: there is nothing held to load.")
            % {"number": transfer.pk, "status": transfer.get_status_display().lower()}
        )
    si = line.shipment_item
    left = line.planned - amount
    if left > 0:
        _give_back(transfer, si, left, by)
        si.quantity -= left
        si.save(update_fields=["quantity"])
        if si.position == 0:
            transfer.quantity = si.quantity
            transfer.save(update_fields=["quantity"])


def _dispatch_when_loaded(line: StopLine, transfer: Transfer, by, temperature_c) -> None:
    """Every line of the transfer at this stop recorded: it leaves, or, when the driver
    found none of its food, it is called off (everything went back on offer)."""
    from django.utils import timezone

    from pantry.network.services.common import holds_for
    from pantry.network.services.transfers import dispatch_locked

    waiting = StopLine.objects.filter(
        stop=line.stop, shipment_item__transfer=transfer, taken__isnull=True
    ).exists()
    if waiting:
        return
    if holds_for(transfer.reference):
        dispatch_locked(transfer, by=by, temperature_c=temperature_c)
        return
    transfer.status = Transfer.Status.CANCELLED
    transfer.cancelled_by, transfer.cancelled_at = by, timezone.now()
    transfer.cancel_reason = (
        _("Nothing to pick up: the driver of run #%(run)s found none of it at %(site)s.")
        % {"run": line.stop.run_id, "site": transfer.source.name}
    )[:300]
    transfer.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])


@transaction.atomic
def finish_stop(
    *, stop_id: int, by: User | None, skipped: bool = False, token: UUID | None = None
) -> Stop:
    """The driver leaves a stop: done (every line loaded first) or skipped.

    At a drop, the food the run picked up from donors of that site is received into
    its stock as donations; when the van comes home (the last stop finished), so is
    the donors' food for the run's own site still aboard. The same `token` records once."""
    from django.utils import timezone

    stop = Stop.objects.filter(pk=stop_id).first()
    if stop is None:
        raise DomainError(_("This stop is no longer on the run."))
    run = lock_run(stop.run_id)
    content = {"skipped": skipped}
    if (earlier := already_recorded(Stop, token, content=content, pk=stop_id)) is not None:
        return earlier
    _require_driver(by, run, done_ok=True)
    stop = Stop.objects.select_for_update(of=("self",)).select_related("site").get(pk=stop_id)
    if stop.is_done:
        return stop
    if not skipped and stop.lines.filter(taken__isnull=True).exists():
        raise DomainError(_("Record what you loaded of every line first (or skip the stop)."))
    stop.state = Stop.State.SKIPPED if skipped else Stop.State.DONE
    stop.done_at, stop.done_by = timezone.now(), by
    fields = tokened(token, content)
    for name, value in fields.items():
        setattr(stop, name, value)
    stop.save(update_fields=["state", "done_at", "done_by", *fields])
    if stop.kind == Stop.Kind.DROP and not skipped:
        receive_donated(run, stop.site, by)
    pending = run.stops.filter(state=Stop.State.PENDING).exists()
    run.status = Run.Status.UNDER_WAY if pending else Run.Status.DONE
    run.save(update_fields=["status"])
    if not pending:
        receive_donated(run, run.site, by)
    return stop


def receive_donated(run: Run, site: Site, by) -> list:
    """The run's loaded donor food bound for `site` and not yet received: one donation
    per donor pickup, through the pantry's own intake (pantry.services.receive_donation),
    dated the day it arrives. Called under the run's lock: each line is received once."""
    from pantry.services.donations import LineInput, receive_donation

    lines = list(
        StopLine.objects.select_for_update(of=("self",))
        .filter(
            stop__run=run,
            stop__donor__site=site,
            shipment_item__isnull=True,
            donation__isnull=True,
            taken__gt=0,
        )
        .select_related("item", "stop__donor")
        .order_by("stop__position", "pk")
    )
    by_stop: dict[int, list[StopLine]] = defaultdict(list)
    for line in lines:
        by_stop[line.stop_id].append(line)
    donations = []
    for stop_lines in by_stop.values():
        donor = stop_lines[0].stop.donor
        donation = receive_donation(
            site=site,
            donor=donor,
            received_on=site.today(),
            lines=[
                LineInput(item=line.item, quantity=line.taken, unit=_base_unit(line.item))
                for line in stop_lines
            ],
            by=by,
            note=_("Picked up on run #%(run)s") % {"run": run.pk},
        )
        StopLine.objects.filter(pk__in=[line.pk for line in stop_lines]).update(donation=donation)
        donations.append(donation)
    return donations


def _base_unit(item: Item) -> str:
    return {Item.Unit.GRAM: "g", Item.Unit.MILLILITRE: "ml"}.get(item.base_unit, "pieces")


def next_stop(run: Run) -> Stop | None:
    return (
        run.stops.filter(state=Stop.State.PENDING)
        .select_related("site", "donor__site")
        .prefetch_related("lines__item", "lines__shipment_item__transfer__destination")
        .order_by("position", "pk")
        .first()
    )

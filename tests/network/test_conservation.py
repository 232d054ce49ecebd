"""Property: whatever people do with offers and transfers, in whatever order, food is
neither made nor lost in transit, no lot goes below zero, and a refusal writes nothing.

Across the network, stock on hand plus stock in transit changes only by what is
wasted (here, the short or damaged part of a delivery): offers, claims,
shipments of several items, acceptances, dispatches, partial pickups on a run,
receipts and cancellations only move it.

A hypothesis state machine: each rule is something a person does, chosen only
when there is something to do it to, so whole journeys from offer to receipt
happen in most runs; `anything` rules try steps on whatever transfer or offer
is there, to be refused.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from commonpot.errors import DomainError
from commonpot.models import User
from pantry import services as pantry
from pantry import stockfigures
from pantry.models import Lot, Reservation, StockMove
from pantry.network import cold, services
from pantry.network.models import Offer, ShipmentItem, Transfer, TransferLine
from pantry.network.services import runs
from pantry.network.stock import network_quantities
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.network.factories import bread, yoghurt

pytestmark = pytest.mark.django_db

PICK = st.integers(0, 50)
PERCENT = st.integers(1, 110)  # above 100 asks for more than there is


def _snapshot():
    return (
        sorted(Lot.objects.values_list("pk", "on_hand", "reserved")),
        sorted(Reservation.objects.values_list("pk", "status", "quantity", "reference")),
        sorted(Offer.objects.values_list("pk", "status", "remaining")),
        sorted(Transfer.objects.values_list("pk", "status")),
        StockMove.objects.count(),
    )


def cold_reading(transfer: Transfer, *, warm: bool = False) -> Decimal | None:
    """A probe's reading for chilled or frozen food (None for food kept dry):
    within the transport limit, or, `warm`, above it."""
    limit = cold.limit_c(transfer)
    if limit is None:
        return None
    return limit + (4 if warm else -2)


def _part(amount: Decimal, percent: int) -> Decimal:
    return max((amount * percent / 100).quantize(Decimal(1)), Decimal(1))


def _pick(rows, i):
    rows = list(rows)
    return rows[i % len(rows)]


class Network(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each run in a transaction rolled back at the end, inside the test's own.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.coordinator = UserFactory(is_coordinator=True)
        # On the map (a few km apart), so that pickup runs can be planned from them.
        self.sites = [
            SiteFactory(
                stores__has_chilled_storage=True,
                latitude=Decimal("51.45") + Decimal("0.02") * n,
                longitude=Decimal("-2.59"),
            )
            for n in range(3)
        ]
        self.leads = {s.pk: MembershipFactory(site=s, role="lead").user for s in self.sites}
        self.items = [bread(), yoghurt()]
        for site in self.sites:
            for item, amount in zip(self.items, ("20000", "40"), strict=True):
                for days in (2, 6):
                    pantry.receive(
                        site=site,
                        item=item,
                        quantity=Decimal(amount),
                        by=self.leads[site.pk],
                        source="Donor",
                        best_before=site.today() + timedelta(days=days),
                    )
        self.start = network_quantities()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def attempt(self, name: str, action) -> None:
        """Do it; if it is refused, nothing may have changed."""
        before = _snapshot()
        try:
            with transaction.atomic():
                action()
            event(f"{name}: done")
        except DomainError:
            event(f"{name}: refused")
            assert _snapshot() == before

    def lead_of(self, site) -> User:
        return self.leads[site.pk]

    # --- What people do -----------------------------------------------------

    @precondition(lambda self: Lot.objects.filter(on_hand__gt=0).exists())
    @rule(i=PICK, percent=PERCENT, hours=st.integers(1, 72), all_lots=st.booleans())
    def offer(self, i, percent, hours, all_lots):
        lots = Lot.objects.filter(on_hand__gt=0) if all_lots else Lot.objects.with_available()
        if not lots.exists():
            return
        lot = _pick(lots.select_related("site").order_by("pk"), i)
        amount = _part(lot.on_hand if all_lots else lot.available, percent)
        self.attempt(
            "offer",
            lambda: services.post_offer(
                site=lot.site,
                by=self.lead_of(lot.site),
                lot=lot,
                quantity=amount,
                pickup_until=timezone.now() + timedelta(hours=hours),
            ),
        )

    @precondition(lambda self: Offer.objects.exists())
    @rule(i=PICK, to=st.integers(0, 2), percent=PERCENT)
    def claim(self, i, to, percent):
        o = _pick(Offer.objects.select_related("site").order_by("status", "pk"), i)
        site = self.sites[to]
        quantity = None if percent >= 100 else _part(o.quantity, percent)
        self.attempt(
            "claim",
            lambda: services.claim_offer(
                offer_id=o.pk, site=site, by=self.lead_of(site), quantity=quantity
            ),
        )

    @precondition(lambda self: Offer.objects.exists())
    @rule(i=PICK)
    def withdraw(self, i):
        o = _pick(Offer.objects.select_related("site").order_by("pk"), i)
        self.attempt(
            "withdraw", lambda: services.withdraw_offer(offer_id=o.pk, by=self.lead_of(o.site))
        )

    @rule(source=st.integers(0, 2), to=st.integers(0, 2), item=st.integers(0, 1), n=PERCENT)
    def propose(self, source, to, item, n):
        item = self.items[item]
        self.attempt(
            "propose",
            lambda: services.propose_transfer(
                source=self.sites[source],
                destination=self.sites[to],
                item=item,
                quantity=Decimal(n * (300 if item.base_unit == "g" else 1)),
                by=self.coordinator,
            ),
        )

    @rule(
        source=st.integers(0, 2),
        to=st.integers(0, 2),
        n=PERCENT,
        m=PERCENT,
        named=st.integers(0, 50),
        by_lead=st.booleans(),
    )
    def ship(self, source, to, n, m, named, by_lead):
        """A shipment of both items: bread first expiring first, yoghurt now and then
        from a named lot (any site's: another site's lot is refused)."""
        site = self.sites[source]
        lot = _pick(Lot.objects.filter(item=self.items[1]).order_by("pk"), named)
        lines = [
            services.Line(item=self.items[0], quantity=Decimal(n * 300)),
            services.Line(
                item=self.items[1], quantity=Decimal(m % 20 + 1), lot=lot if named % 2 else None
            ),
        ]
        self.attempt(
            "ship",
            lambda: services.propose_shipment(
                source=site,
                destination=self.sites[to],
                lines=lines,
                by=self.lead_of(site) if by_lead else self.coordinator,
            ),
        )

    @precondition(lambda self: Transfer.objects.filter(status="accepted").exists())
    @rule(i=PICK, percent=st.integers(1, 120))
    def partial_pickup(self, i, percent):
        """A run's driver loads part of each line ("took 30 of 40 kg"): the rest goes
        back on its offer or to the site; above what was planned is refused."""
        t = self._transfer(i, "accepted")
        lead = self.lead_of(t.source)

        def drive():
            now = timezone.now()
            run = runs.plan_run(
                site=t.source,
                by=lead,
                day=t.source.today(),
                starts_at=now,
                ends_at=now + timedelta(hours=8),
                capacity_kg="99999",
                chilled_kg="99999",
            )
            stop = runs.add_stop(
                run_id=run.pk,
                by=lead,
                kind="pickup",
                site=t.source,
                transfers=[t],
                window_from=now,
                window_until=now + timedelta(hours=8),
            )
            for line in stop.lines.all():
                runs.record_pickup(
                    line_id=line.pk,
                    by=lead,
                    taken=_part(line.planned, percent),
                    temperature_c=cold_reading(t),
                )

        self.attempt("partial pickup", drive)

    def _transfer(self, i, *statuses) -> Transfer | None:
        qs = Transfer.objects.select_related("source", "destination").order_by("pk")
        if statuses:
            qs = qs.filter(status__in=statuses)
        return _pick(qs, i) if qs.exists() else None

    @precondition(lambda self: Transfer.objects.filter(status="proposed").exists())
    @rule(i=PICK)
    def accept(self, i):
        t = self._transfer(i, "proposed")
        self.attempt(
            "accept", lambda: services.accept_transfer(transfer_id=t.pk, by=self.lead_of(t.source))
        )

    @precondition(lambda self: Transfer.objects.filter(status="accepted").exists())
    @rule(i=PICK)
    def dispatch(self, i):
        t = self._transfer(i, "accepted")
        self.attempt(
            "dispatch",
            lambda: services.dispatch_transfer(
                transfer_id=t.pk, by=self.lead_of(t.source), temperature_c=cold_reading(t)
            ),
        )

    @precondition(lambda self: Transfer.objects.filter(status="dispatched").exists())
    @rule(i=PICK, percent=st.integers(0, 110), broken=st.integers(0, 30))
    def receive(self, i, percent, broken):
        t = self._transfer(i, "dispatched")
        lines = list(t.lines.all())
        received = {line.pk: (line.quantity * percent / 100).quantize(Decimal(1)) for line in lines}
        damaged = {line.pk: (line.quantity * broken / 100).quantize(Decimal(1)) for line in lines}
        self.attempt(
            "receive",
            lambda: services.receive_transfer(
                transfer_id=t.pk,
                by=self.lead_of(t.destination),
                received=received,
                damaged=damaged,
                reason="damaged",
                destination="compost",
                # Now and then the yoghurt arrives warm: held, and still conserved.
                temperature_c=cold_reading(t, warm=percent % 3 == 0),
            ),
        )

    @precondition(lambda self: Transfer.objects.exists())
    @rule(i=PICK, by_source=st.booleans())
    def cancel(self, i, by_source):
        t = self._transfer(i)
        person = self.lead_of(t.source if by_source else t.destination)
        self.attempt(
            "cancel",
            lambda: services.cancel_transfer(transfer_id=t.pk, by=person, reason="Plans changed"),
        )

    @precondition(lambda self: Lot.objects.with_available().exists())
    @rule(
        i=PICK,
        to=st.integers(1, 2),
        percent=st.integers(1, 100),
        arrived=st.integers(0, 100),
        stop=st.integers(1, 5),
    )
    def journey(self, i, to, percent, arrived, stop):
        """Offer, claim, accept, dispatch, receive: as far as `stop` steps."""
        lot = _pick(Lot.objects.with_available().select_related("site").order_by("pk"), i)
        source = lot.site
        site = self.sites[(self.sites.index(source) + to) % 3]
        before = Transfer.objects.count()
        self.attempt(
            "journey: offer",
            lambda: services.post_offer(
                site=source,
                by=self.lead_of(source),
                lot=lot,
                quantity=_part(lot.available, percent),
                pickup_until=timezone.now() + timedelta(hours=30),
            ),
        )
        o = Offer.objects.order_by("-pk").first()
        if stop < 2 or o is None or not o.is_open():
            return
        self.attempt(
            "journey: claim",
            lambda: services.claim_offer(offer_id=o.pk, site=site, by=self.lead_of(site)),
        )
        if stop < 3 or Transfer.objects.count() == before:
            return
        t = Transfer.objects.order_by("-pk").first()
        by_source, by_destination = self.lead_of(source), self.lead_of(site)
        self.attempt(
            "journey: accept", lambda: services.accept_transfer(transfer_id=t.pk, by=by_source)
        )
        if stop < 4:
            return
        self.attempt(
            "journey: dispatch",
            lambda: services.dispatch_transfer(
                transfer_id=t.pk, by=by_source, temperature_c=cold_reading(t)
            ),
        )
        if stop < 5:
            return
        received = {
            line.pk: (line.quantity * arrived / 100).quantize(Decimal(1)) for line in t.lines.all()
        }
        self.attempt(
            "journey: receive",
            lambda: services.receive_transfer(
                transfer_id=t.pk,
                by=by_destination,
                received=received,
                reason="damaged",
                destination="compost",
                temperature_c=cold_reading(t),
            ),
        )

    @precondition(lambda self: Transfer.objects.exists())
    @rule(i=PICK, step=st.sampled_from(["accept", "dispatch", "receive"]), wrong_side=st.booleans())
    def anything(self, i, step, wrong_side):
        """A step on any transfer, by either side: often the wrong moment or person."""
        t = self._transfer(i)
        source, destination = self.lead_of(t.source), self.lead_of(t.destination)
        if step == "receive":
            received = {line.pk: line.quantity for line in t.lines.all()}
            self.attempt(
                "anything",
                lambda: services.receive_transfer(
                    transfer_id=t.pk,
                    by=source if wrong_side else destination,
                    received=received,
                    temperature_c=cold_reading(t),
                ),
            )
        else:
            by = destination if wrong_side else source
            if step == "accept":
                self.attempt("anything", lambda: services.accept_transfer(transfer_id=t.pk, by=by))
            else:
                self.attempt(
                    "anything",
                    lambda: services.dispatch_transfer(
                        transfer_id=t.pk, by=by, temperature_c=cold_reading(t)
                    ),
                )

    @rule(hours=st.sampled_from([0, 1, 6, 24, 80]))
    def time_passes(self, hours):
        self.attempt(
            "lapse", lambda: services.close_lapsed(timezone.now() + timedelta(hours=hours))
        )

    # --- What must always hold ----------------------------------------------

    @invariant()
    def food_is_conserved(self):
        moves = StockMove.objects.filter(kind=StockMove.Kind.WASTED).values("lot__item_id")
        wasted = {r["lot__item_id"]: -r["q"] for r in moves.annotate(q=Sum("quantity"))}
        now = network_quantities()
        for item in self.items:
            assert now.get(item.pk, 0) + wasted.get(item.pk, 0) == self.start[item.pk]

    @invariant()
    def each_sites_stock_figures_are_the_sum_of_its_lots(self):
        # What the dashboard reads (pantry.stockfigures), kept by every move above.
        assert stockfigures.drift() == {}

    @invariant()
    def no_lot_below_zero_and_every_ledger_adds_up(self):
        # What pantry.services.ledger_is_consistent checks per lot, for all lots at once.
        moved = dict(
            StockMove.objects.values("lot_id")
            .annotate(q=Sum("quantity"))
            .values_list("lot_id", "q")
        )
        held = dict(
            Reservation.objects.filter(status=Reservation.Status.HELD)
            .values("lot_id")
            .annotate(q=Sum("quantity"))
            .values_list("lot_id", "q")
        )
        for pk, on_hand, reserved in Lot.objects.values_list("pk", "on_hand", "reserved"):
            assert 0 <= reserved <= on_hand
            assert (moved.get(pk, 0), held.get(pk, 0)) == (on_hand, reserved)

    @invariant()
    def offers_and_transfers_hold_exactly_their_food(self):
        held = dict(
            Reservation.objects.filter(status=Reservation.Status.HELD)
            .values("reference")
            .annotate(q=Sum("quantity"))
            .values_list("reference", "q")
        )
        sent = dict(
            TransferLine.objects.values("transfer_id")
            .annotate(q=Sum("quantity"))
            .values_list("transfer_id", "q")
        )
        for o in Offer.objects.all():
            assert held.get(o.reference, 0) == (o.remaining if o.status == "open" else 0)
        # A shipment's items mix units; summed alike on both sides, they still must match.
        asked = dict(
            ShipmentItem.objects.values("transfer_id")
            .annotate(q=Sum("quantity"))
            .values_list("transfer_id", "q")
        )
        for t in Transfer.objects.all():
            holds = t.status == "accepted" or (t.status == "proposed" and t.offer_id)
            assert held.get(t.reference, 0) == (asked[t.pk] if holds else 0)
            if t.status in ("dispatched", "received"):
                assert sent[t.pk] == asked[t.pk]
        for line in TransferLine.objects.filter(received_quantity__isnull=False):
            assert line.received_quantity + line.shortfall + line.damaged == line.quantity


Network.TestCase.settings = None  # run through the test below, with the project's profile


@pytest.mark.slow
def test_offers_and_transfers_conserve_food_and_refusals_write_nothing(db):
    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    # Each run sets up three stocked sites and checks every invariant after every
    # step: half the profile's runs of 15 steps keep it to a few seconds.
    budget = settings(
        settings.default,
        max_examples=max(10, settings.default.max_examples // 2),
        stateful_step_count=15,
    )
    run_state_machine_as_test(Network, settings=budget)

"""Property: any sequence of receive / take / reserve / release / waste / count / undo
keeps every lot's on-hand equal to the sum of its moves, its reserved equal to its
holds, and never below zero."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot.errors import DomainError
from pantry import services
from pantry.models import Lot, Reservation, StockMove
from tests.pantry.factories import ItemFactory

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(5000), places=3)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), quantities, st.integers(-3, 30)),
        st.tuples(st.just("take"), quantities, st.sampled_from(["cooked", "distributed"])),
        st.tuples(st.just("take_lot"), quantities, st.integers(0, 50)),
        st.tuples(st.just("reserve"), quantities, st.integers(0, 50)),
        st.tuples(st.just("release"), st.integers(0, 50), st.none()),
        st.tuples(st.just("use_hold"), st.integers(0, 50), st.none()),
        st.tuples(st.just("waste"), quantities, st.integers(0, 50)),
        st.tuples(st.just("count"), quantities | st.just(Decimal(0)), st.integers(0, 50)),
        st.tuples(st.just("undo"), st.integers(0, 500), st.none()),
    ),
    min_size=1,
    max_size=25,
)


def pick(seq, n):
    return seq[n % len(seq)] if seq else None


@pytest.mark.django_db
@given(ops=operations)
def test_every_lot_adds_up_whatever_happens(site, lead, ops):
    item = ItemFactory()
    today = site.today()
    for op, a, b in ops:
        lots = list(Lot.objects.filter(item=item).order_by("pk"))
        holds = list(Reservation.objects.filter(lot__item=item, status="held").order_by("pk"))
        try:
            if op == "receive":
                services.receive(
                    site=site,
                    item=item,
                    quantity=a,
                    by=lead,
                    source="Property",
                    best_before=today + timedelta(days=b),
                )
            elif op == "take":
                services.take_stock(site=site, item=item, quantity=a, kind=b, by=lead)
            elif op == "take_lot" and lots:
                services.take_stock(
                    site=site, item=item, quantity=a, kind="distributed", by=lead, lot=pick(lots, b)
                )
            elif op == "reserve" and lots:
                services.reserve_stock(
                    site=site, item=item, quantity=a, reference="meal:1", by=lead, lot=pick(lots, b)
                )
            elif op == "release" and holds:
                services.release_reservation(pick(holds, a))
            elif op == "use_hold" and holds:
                services.take_reserved(pick(holds, a), kind="cooked", by=lead)
            elif op == "waste" and lots:
                services.discard(
                    pick(lots, b), reason="spoiled", destination="compost", by=lead, quantity=a
                )
            elif op == "count" and lots:
                services.record_count(
                    site=site, storage="dry", counted={pick(lots, b).pk: a}, by=lead
                )
            elif op == "undo":
                moves = list(StockMove.objects.filter(lot__item=item).order_by("pk"))
                if moves:
                    services.reverse_move(pick(moves, a), by=lead)
        except DomainError:
            pass  # a refusal is fine; it must leave everything as it was

    for lot in Lot.objects.filter(item=item):
        assert services.ledger_is_consistent(lot), lot
        assert lot.on_hand >= 0 and 0 <= lot.reserved <= lot.on_hand
        last = lot.moves.order_by("-pk").first()
        assert last.on_hand_after == lot.on_hand

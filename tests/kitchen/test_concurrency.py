"""Two cooks press "Record as cooked" at once; two meals hold the last stock at once.

Runs on both databases: on PostgreSQL the row locks decide, on SQLite
(BEGIN IMMEDIATE, a file-backed test database) the writers queue. Either way
one wins and the other is told why, and the stock adds up.
"""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from commonpot.errors import DomainError
from kitchen import services
from kitchen.cooking import cook_meal
from kitchen.models import MealService
from pantry.models import Lot, Reservation, StockMove

pytestmark = pytest.mark.django_db(transaction=True)


def race(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as e:  # noqa: BLE001 — the outcome is what the test checks
            results[i] = e
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_a_meal_cooked_by_two_people_at_once_is_cooked_once(lead, dinner, stocked):
    results = race(3, lambda i: cook_meal(dinner, servings_made=40, servings_served=40, by=lead))
    cooked = [r for r in results if isinstance(r, MealService)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(cooked) == 1 and len(refused) == 2, results
    assert all("already cooked" in str(e) for e in refused)
    out = StockMove.objects.filter(reference=dinner.reference, quantity__lt=0)
    assert sum(-m.quantity for m in out if m.lot.item.name == "Rice") == Decimal("4000")


def test_two_meals_holding_the_last_stock_at_once_never_hold_more_than_there_is(
    site, lead, chilli, items, receive, today
):
    receive(items["rice"], 5000)
    meals = [
        services.plan_meal(site=site, date=today, kind=kind, servings=40, recipes=[chilli], by=lead)
        for kind in ("lunch", "dinner")
    ]
    # Both leads said "take it anyway", so only the locks decide who gets what.
    results = race(2, lambda i: services.hold_stock(meals[i], by=lead, take=True))
    assert all(not isinstance(r, Exception) for r in results), results
    rice = Lot.objects.get(item=items["rice"])
    held = Reservation.objects.filter(status="held", lot=rice)
    assert rice.reserved == sum(r.quantity for r in held) == Decimal("5000")
    assert sorted(r.lines[0].held for r in results) == [Decimal("1000"), Decimal("4000")]

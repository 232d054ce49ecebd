"""Two people take the last 5 kg at the same moment: one gets it, one is told why not.

PostgreSQL only: it is where web nodes really write at the same time. (SQLite
serialises writers with BEGIN IMMEDIATE, so there is no race there to test.)
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from pantry import services
from pantry.models import StockMove
from pantry.services import NotEnoughStock, ledger

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent takes need PostgreSQL (set DATABASE_URL).")


@pytest.fixture(autouse=True)
def _slow_writes(monkeypatch):
    """Hold each write a moment after its checks, so that without the row lock the
    racers would all pass the check before any of them wrote."""
    record = ledger._record

    def slowly(*args, **kwargs):
        time.sleep(0.2)
        return record(*args, **kwargs)

    monkeypatch.setattr(ledger, "_record", slowly)


def race(n: int, work) -> list:
    """Run `work` in n threads released together; return what each returned or raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work()
        except Exception as e:  # noqa: BLE001 — the outcome is what the test checks
            results[i] = e
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("people", [2, 6])
def test_concurrent_takes_of_the_last_5_kg_leave_exactly_zero(site, lead, item_rice, people):
    lot = services.receive(
        site=site, item=item_rice, quantity=Decimal(5000), by=lead, source="Last sack"
    ).lot

    def take():
        return services.take_stock(
            site=site, item=item_rice, quantity=Decimal(5000), kind="distributed", by=lead
        )

    results = race(people, take)
    taken = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, NotEnoughStock)]
    assert len(taken) == 1, results
    assert len(refused) == people - 1, results
    assert all("Only 0 g of Rice is free" in str(e) for e in refused)
    lot.refresh_from_db()
    assert lot.on_hand == 0
    assert StockMove.objects.filter(kind="distributed").count() == 1
    assert services.ledger_is_consistent(lot)


def test_a_take_and_a_hold_racing_for_the_same_stock_never_promise_it_twice(site, lead, item_rice):
    lot = services.receive(
        site=site, item=item_rice, quantity=Decimal(5000), by=lead, source="Last sack"
    ).lot
    jobs = [
        lambda: services.take_stock(
            site=site, item=item_rice, quantity=Decimal(3000), kind="cooked", by=lead
        ),
        lambda: services.reserve_stock(
            site=site, item=item_rice, quantity=Decimal(3000), reference="transfer:1", by=lead
        ),
    ]
    index = iter(range(2))
    lock = threading.Lock()

    def work():
        with lock:
            job = jobs[next(index)]
        return job()

    results = race(2, work)
    assert sum(isinstance(r, NotEnoughStock) for r in results) == 1, results
    lot.refresh_from_db()
    assert lot.on_hand - lot.reserved == 2000
    assert services.ledger_is_consistent(lot)


def test_a_take_finding_its_first_lot_emptied_meanwhile_takes_from_the_next(site, lead, item_rice):
    from datetime import timedelta

    first, second = (
        services.receive(
            site=site,
            item=item_rice,
            quantity=Decimal(5000),
            by=lead,
            source="Sack",
            best_before=site.today() + timedelta(days=days),
        ).lot
        for days in (3, 9)
    )

    def take():
        return services.take_stock(
            site=site, item=item_rice, quantity=Decimal(5000), kind="cooked", by=lead
        )

    results = race(2, take)
    assert all(isinstance(r, list) for r in results), results
    assert sorted(r[0].lot.pk for r in results) == [first.pk, second.pk]
    for lot in (first, second):
        lot.refresh_from_db()
        assert lot.on_hand == 0 and services.ledger_is_consistent(lot)


def test_two_uploads_of_the_same_file_at_once_import_it_once(site, lead, item_rice):
    import uuid

    from pantry.models import DonationImport, Lot
    from pantry.services import donations

    rows = [
        donations.ImportRow(
            received_on=site.today(),
            donor_name="",
            donor_kind="",
            line=donations.LineInput(item=item_rice, quantity="5", unit="kg"),
        )
    ]

    def upload():
        return donations.import_donations(
            site=site, rows=rows, by=lead, token=uuid.uuid4(), content_sha256="a" * 64
        )

    results = race(2, upload)
    imported = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, donations.AlreadyImported)]
    assert len(imported) == 1 and len(refused) == 1, results
    assert "This file was imported at Riverside Kitchen" in refused[0].message
    assert DonationImport.objects.count() == 1
    assert Lot.objects.get().on_hand == 5000

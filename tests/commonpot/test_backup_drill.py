"""The backup drill of docs/deployment.md, run for real: back up the live database
with the documented command, restore it, and find the ledger identical."""

import shutil
import subprocess
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from pantry import services
from tests.pantry.factories import beans, rice

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LEDGER = (
    "SELECT m.id, m.lot_id, m.kind, m.quantity, l.on_hand, l.reserved "
    "FROM pantry_stockmove m JOIN pantry_lot l ON l.id = m.lot_id ORDER BY m.id"
)


@pytest.fixture
def a_day_of_the_pantry(site, lead):
    tins = beans()
    lot = services.receive(
        site=site, item=rice(), quantity=Decimal(5000), by=lead, source="Shop"
    ).lot
    services.receive(site=site, item=tins, quantity=Decimal(24), by=lead, source="Drive")
    services.take_stock(
        site=site, item=lot.item, quantity=Decimal(1250), kind=services.Kind.DISTRIBUTED, by=lead
    )
    services.discard(lot, reason="damaged", destination="compost", quantity=Decimal(250), by=lead)


def rows(cursor) -> list[tuple]:
    cursor.execute(LEDGER)
    return [tuple(str(v) for v in row) for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite half of the drill")
def test_an_online_sqlite_backup_restores_the_same_ledger(a_day_of_the_pantry, tmp_path):
    import sqlite3

    assert shutil.which("sqlite3"), "the drill uses the sqlite3 command (Debian's sqlite3)"
    live = connection.settings_dict["NAME"]
    copy = tmp_path / "commonpot-backup.sqlite3"
    # docs/deployment.md: sqlite3 var/commonpot.sqlite3 ".backup '<file>'"
    subprocess.run(["sqlite3", str(live), f".backup '{copy}'"], check=True, timeout=60)
    with connection.cursor() as cursor:
        before = rows(cursor)
    restored = sqlite3.connect(copy)
    try:
        after = rows(restored.cursor())
    finally:
        restored.close()
    assert len(before) == 4
    assert after == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL half of the drill")
def test_a_pg_dump_restored_into_a_fresh_database_has_the_same_ledger(
    a_day_of_the_pantry, tmp_path
):
    import psycopg

    db = connection.settings_dict
    server = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    fresh = f"restore_drill_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "commonpot.dump"
    # docs/deployment.md: pg_dump --format=custom, then pg_restore into a database.
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", f"{server}/{db['NAME']}"],
        check=True,
        timeout=120,
    )
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={server}/{fresh}", str(dump)],
            check=True,
            timeout=120,
        )
        with connection.cursor() as cursor:
            before = rows(cursor)
        with psycopg.connect(f"{server}/{fresh}") as restored:
            after = rows(restored.cursor())
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
    assert len(before) == 4
    assert after == before

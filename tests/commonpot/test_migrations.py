"""The migrations build exactly what the models describe.

The suite's database is made by running every migration, as a new install's is;
the network benchmark makes its scratch database from the models directly. Both
must give the same tables, columns and constraints, and no model change may be
left without its migration.
"""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models

pytestmark = pytest.mark.django_db

OURS = ("commonpot", "pantry", "network", "kitchen", "volunteers")


def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"Model changes without a migration:\n{out.getvalue()} ({exit_})")


def _declared(model) -> set[str]:
    names = {c.name for c in model._meta.constraints}
    names |= {i.name for i in model._meta.indexes}
    return names


@pytest.mark.parametrize("label", OURS)
def test_the_migrated_database_has_every_column_and_constraint_the_models_declare(label):
    missing = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in apps.get_app_config(label).get_models():
            table = model._meta.db_table
            if table not in tables:
                missing.append(f"table {table}")
                continue
            columns = {
                c.name: c for c in connection.introspection.get_table_description(cursor, table)
            }
            for field in model._meta.local_concrete_fields:
                column = columns.get(field.column)
                if column is None:
                    missing.append(f"{table}.{field.column}")
                elif bool(column.null_ok) != field.null:
                    missing.append(f"{table}.{field.column} null={column.null_ok}")
            in_database = set(connection.introspection.get_constraints(cursor, table))
            for name in sorted(_declared(model) - in_database):
                missing.append(f"{table}: constraint or index {name}")
    assert not missing, "\n".join(missing)


def test_the_quantity_limits_are_in_the_database_not_only_in_python():
    from pantry.models import Lot

    checks = [c for c in Lot._meta.constraints if isinstance(c, models.CheckConstraint)]
    assert any(c.name.endswith("_fits") for c in checks)
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Lot._meta.db_table)
    for check in checks:
        assert check.name in found, check.name

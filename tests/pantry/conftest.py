"""Pantry fixtures: a catalog and stock at the lead's site."""

from datetime import timedelta
from decimal import Decimal

import pytest

from pantry import services
from tests.pantry.factories import beans, milk, rice, soap


@pytest.fixture
def item_rice(db):
    return rice()


@pytest.fixture
def item_beans(db):
    return beans()


@pytest.fixture
def item_milk(db):
    return milk()


@pytest.fixture
def item_soap(db):
    return soap()


@pytest.fixture
def today(site):
    return site.today()


@pytest.fixture
def stock(site, item_rice, lead, today):
    """Rice at the lead's site: 2 kg expiring in 5 days, 3 kg in 30 days."""

    def lot(grams: str, days: int | None, **kwargs):
        best_before = None if days is None else today + timedelta(days=days)
        return services.receive(
            site=site,
            item=kwargs.pop("item", item_rice),
            quantity=Decimal(grams),
            by=lead,
            source="Test intake",
            best_before=best_before,
            **kwargs,
        ).lot

    soon = lot("2000", 5)
    later = lot("3000", 30)
    return {"soon": soon, "later": later, "make": lot}

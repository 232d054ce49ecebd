"""Test data for the network: items, stock at a site, offers, needs."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from pantry import services as pantry
from pantry.models import Item, Lot, Storage
from pantry.network import services
from tests.pantry.factories import ItemFactory


def bread() -> Item:
    return ItemFactory(name="Bread", category=Item.Category.GRAINS_BREAD)


def yoghurt() -> Item:
    return ItemFactory(
        name="Yoghurt",
        category=Item.Category.DAIRY_EGGS,
        base_unit=Item.Unit.PIECE,
        piece_name="pot",
        weight_per_piece_g=Decimal("500"),
        storage=Storage.CHILLED,
    )


def stock(
    site,
    item,
    quantity,
    *,
    by,
    days: int | None = 2,
    source="Harbour bakery",
    date_kind="best_before",
) -> Lot:
    """A new lot of `quantity` (base unit) at `site`, dated `days` from today."""
    best_before = None if days is None else site.today() + timedelta(days=days)
    return pantry.receive(
        site=site,
        item=item,
        quantity=Decimal(quantity),
        by=by,
        source=source,
        best_before=best_before,
        date_kind=date_kind,
    ).lot


def offer(site, lot, quantity=None, *, by, hours: int = 48, **kwargs):
    now = timezone.now()
    return services.post_offer(
        site=site,
        by=by,
        lot=lot,
        quantity=Decimal(quantity if quantity is not None else lot.available),
        pickup_until=kwargs.pop("pickup_until", None) or now + timedelta(hours=hours),
        **kwargs,
    )


def need(site, *, by, item=None, category="", quantity="10000", days: int = 1, **kwargs):
    return services.post_need(
        site=site,
        by=by,
        item=item,
        category=category,
        quantity=Decimal(quantity),
        needed_by=site.today() + timedelta(days=days),
        **kwargs,
    )


def tomorrow_at(site, hour: int, minute: int = 0) -> datetime:
    """A time tomorrow on the site's clock (a run's day)."""
    day = site.today() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=site.tz)

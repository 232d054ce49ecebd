"""The item catalog the whole network shares, and each site's low-stock levels."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.models import Site
from pantry.models import Item, StockThreshold

ITEM_FIELDS = (
    "name",
    "category",
    "base_unit",
    "piece_name",
    "weight_per_piece_g",
    "grams_per_ml",
    "storage",
    "date_kind",
    "gtin",
    "is_active",
    "allergens",
    "dietary",
)


def _save(item: Item) -> Item:
    item.name = " ".join(item.name.split())
    item.piece_name = " ".join(item.piece_name.split()).lower() or "piece"
    try:
        item.full_clean()
    except ValidationError as e:
        field = next(iter(e.message_dict), None) if hasattr(e, "message_dict") else None
        raise DomainError(
            " ".join(e.messages), field=field if field != "__all__" else None
        ) from None
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise DomainError(_("The catalog already has this item or this barcode.")) from None
    return item


@transaction.atomic
def add_item(**fields) -> Item:
    item = Item()
    for name, value in fields.items():
        if name in ITEM_FIELDS:
            setattr(item, name, value)
    return _save(item)


@transaction.atomic
def update_item(item: Item, **fields) -> Item:
    """Change an item. Its base unit is fixed once any site holds or held it:
    every quantity in the ledger is in that unit."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if "base_unit" in fields and fields["base_unit"] != item.base_unit and item.lots.exists():
        raise DomainError(
            _(
                "%(item)s already has stock counted in %(unit)s; "
                "its unit cannot change. Add a new item instead."
            )
            % {"item": item.name, "unit": item.get_base_unit_display().lower()},
            field="base_unit",
        )
    for name, value in fields.items():
        if name in ITEM_FIELDS:
            setattr(item, name, value)
    return _save(item)


@transaction.atomic
def set_threshold(*, site: Site, item: Item, minimum: Decimal | None) -> StockThreshold | None:
    """Set the low-stock level of an item at a site (base unit); None or 0 removes it."""
    if minimum is None or minimum == 0:
        StockThreshold.objects.filter(site=site, item=item).delete()
        return None
    if minimum < 0:
        raise DomainError(_("A low-stock level cannot be below zero."), field="minimum")
    threshold, _created = StockThreshold.objects.update_or_create(
        site=site, item=item, defaults={"minimum": minimum.quantize(Decimal("0.001"))}
    )
    return threshold

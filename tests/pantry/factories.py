"""Test data for the pantry."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from pantry.models import Donor, Item, Lot, Storage
from tests.factories import SiteFactory


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = Item

    name = factory.Sequence(lambda n: f"Item {n}")
    category = Item.Category.CANNED_DRY
    base_unit = Item.Unit.GRAM
    storage = Storage.DRY


class DonorFactory(DjangoModelFactory):
    class Meta:
        model = Donor

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Donor {n}")
    kind = Donor.Kind.SHOP


def rice() -> Item:
    return ItemFactory(name="Rice", category=Item.Category.GRAINS_BREAD, gtin="5012345678900")


def beans() -> Item:
    return ItemFactory(
        name="Baked beans",
        base_unit=Item.Unit.PIECE,
        piece_name="can",
        weight_per_piece_g=Decimal("415"),
        allergens=[],
    )


def milk() -> Item:
    return ItemFactory(
        name="Milk",
        category=Item.Category.DAIRY_EGGS,
        base_unit=Item.Unit.MILLILITRE,
        grams_per_ml=Decimal("1.030"),
        storage=Storage.CHILLED,
        allergens=["milk"],
    )


def soap() -> Item:
    """Counted in pieces with no weight: kg cannot be converted."""
    return ItemFactory(
        name="Soap", category=Item.Category.HYGIENE, base_unit=Item.Unit.PIECE, piece_name="bar"
    )


__all__ = ["DonorFactory", "ItemFactory", "Lot", "beans", "milk", "rice", "soap"]


def give_out(site, item, quantity, unit, *, by, partner: str = "Harbour households"):
    """Give `quantity` `unit` of `item` out at `site` to a partner, first expiring first."""
    from pantry.services import distributions

    return distributions.distribute(
        site=site,
        recipient="partner",
        partner=partner,
        given_on=site.today(),
        lines=[distributions.OutLine(item=item, quantity=quantity, unit=unit)],
        by=by,
    )

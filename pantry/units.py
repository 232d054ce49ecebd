"""Quantities in whatever unit a person types, converted exactly to an item's base unit.

Stock is kept in grams, millilitres or pieces (Item.base_unit) as Decimal. People
type kg, lb, oz, L, "cans"...: pint does the conversion, with Decimal arithmetic
so that 2.2 lb is exactly 997.903 g, never 997.9029999. A quantity that cannot
become the item's unit (kg of a piece item with no weight per piece, litres of
flour) is a UnitError with a sentence a person can act on.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import pint

from commonpot.errors import DomainError
from commonpot.numbers import parse_decimal

if TYPE_CHECKING:
    from pantry.models import Item

STEP = Decimal("0.001")
# Far beyond any site's shelves, and within what the ledger's columns hold.
MAX_BASE = Decimal("10000000000")
# Words for one piece, whatever the item's own piece name is.
PIECE_WORDS = (
    "piece",
    "pc",
    "pcs",
    "each",
    "ea",
    "item",
    "unit",
    "can",
    "tin",
    "jar",
    "bottle",
    "carton",
    "pack",
    "packet",
    "bag",
    "box",
    "loaf",
    "tray",
    "pot",
    "tub",
    "portion",
    "meal",
)
IRREGULAR_PLURALS = {"loaves": "loaf", "boxes": "box"}
PLURALS = {"loaf": "loaves", "box": "boxes"}


class UnitError(DomainError):
    """A quantity or unit that cannot be used for this item."""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(non_int_type=Decimal)
    # Pieces are a dimension of their own; the words for them are read before
    # pint sees them, as some ("pc" is a parsec) mean something else to pint.
    ureg.define("piece = [piece]")
    return ureg


def _is_piece_word(text: str, item: Item | None) -> bool:
    word = text.lower()
    words = set(PIECE_WORDS)
    if item is not None:
        words.add(item.piece_name.lower())
    singular = IRREGULAR_PLURALS.get(word, word)
    candidates = {singular, singular.removesuffix("s"), singular.removesuffix("es")}
    return bool(candidates & words)


def _normalise(unit: str) -> str:
    text = " ".join(unit.strip().split())
    text = re.sub(r"^fl\.? ?oz\.?$", "floz", text, flags=re.IGNORECASE)
    return text.rstrip(".")


def parse_unit(unit: str, item: Item | None = None) -> pint.Unit:
    """The pint unit a person meant, or a UnitError that says it is not known."""
    text = _normalise(unit)
    if text and _is_piece_word(text, item):
        return registry().piece
    if not text or len(text) > 20 or not re.fullmatch(r"[A-Za-z ]+", text):
        raise UnitError(f"{unit.strip() or 'An empty unit'!r} is not a unit we know.", field="unit")
    ureg = registry()
    for candidate in (text, text.lower()):
        try:
            parsed = ureg.parse_units(candidate)
        except Exception:  # noqa: BLE001, S112 — pint raises many kinds for unknown words
            continue
        # A single known unit, not an expression such as "kg m".
        if len(parsed._units) == 1 and next(iter(parsed._units.values())) == 1:
            return parsed
    raise UnitError(
        f"{unit.strip()!r} is not a unit we know. Use g, kg, oz, lb, ml, L or pieces "
        "(cans, jars, packs...).",
        field="unit",
    )


def _plural(word: str) -> str:
    word = word.lower()
    if word in PLURALS:
        return PLURALS[word]
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def parse_quantity(raw: str | Decimal | int | float) -> Decimal:
    """A positive Decimal from what a person typed (any unit: barely rounded), or a UnitError."""
    return parse_decimal(
        raw,
        field="quantity",
        label="the quantity",
        ceiling=MAX_BASE,
        places=12,
        error=UnitError,
    )


def to_base(quantity: str | Decimal | int | float, unit: str, item: Item) -> Decimal:
    """`quantity` of `unit` in `item`'s base unit (g, ml or pieces), rounded to 0.001.

    Raises UnitError for a quantity that is not a positive number, a unit nobody
    knows, a unit that does not fit the item, or an amount too small to record.
    """
    from pantry.models import Item

    amount = parse_quantity(quantity)
    ureg = registry()
    typed = ureg.Quantity(amount, parse_unit(unit, item))
    base = item.base_unit
    try:
        if typed.check("[piece]"):
            in_base = _from_pieces(typed, item)
        elif typed.check("[mass]"):
            grams = typed.to(ureg.gram).magnitude
            if base == Item.Unit.GRAM:
                in_base = grams
            elif base == Item.Unit.MILLILITRE:
                in_base = grams / item.grams_per_ml
            else:
                in_base = _pieces_from_grams(grams, item, unit)
        elif typed.check("[volume]"):
            ml = typed.to(ureg.milliliter).magnitude
            if base == Item.Unit.MILLILITRE:
                in_base = ml
            else:
                raise UnitError(
                    f"{item.name} is not counted by volume: give it in {_fitting_units(item)}.",
                    field="unit",
                )
        else:
            raise UnitError(
                f"{unit.strip()!r} is not a weight, a volume or a number of pieces.",
                field="unit",
            )
    except pint.errors.PintError:
        raise UnitError(
            f"{unit.strip()!r} does not fit {item.name}: give it in {_fitting_units(item)}.",
            field="unit",
        ) from None
    return parse_decimal(
        Decimal(in_base),
        field="quantity",
        label="the quantity",
        ceiling=MAX_BASE,
        ceiling_text=display(MAX_BASE, item),
        error=UnitError,
    )


def _from_pieces(typed: pint.Quantity, item: Item) -> Decimal:
    from pantry.models import Item

    pieces = typed.to("piece").magnitude
    if item.base_unit == Item.Unit.PIECE:
        return pieces
    raise UnitError(
        f"{item.name} is counted by {'weight' if item.base_unit == 'g' else 'volume'}: "
        f"give it in {_fitting_units(item)}.",
        field="unit",
    )


def _pieces_from_grams(grams: Decimal, item: Item, unit: str) -> Decimal:
    if item.weight_per_piece_g is None:
        raise UnitError(
            f"{item.name} is counted in {_plural(item.piece_name)} and has no weight per "
            f"{item.piece_name}, so {unit.strip()} cannot be converted: count the "
            f"{_plural(item.piece_name)}, or add a weight per {item.piece_name} to the item.",
            field="unit",
        )
    return grams / item.weight_per_piece_g


def _fitting_units(item: Item) -> str:
    from pantry.models import Item

    if item.base_unit == Item.Unit.GRAM:
        return "g, kg, oz or lb"
    if item.base_unit == Item.Unit.MILLILITRE:
        return "ml, L or fl oz (or by weight)"
    if item.weight_per_piece_g is None:
        return _plural(item.piece_name)
    return f"{_plural(item.piece_name)} or by weight (g, kg, oz, lb)"


def fitting_units(item: Item) -> list[str]:
    """Units to offer for this item, its own first."""
    from pantry.models import Item

    if item.base_unit == Item.Unit.GRAM:
        return ["kg", "g", "lb", "oz"]
    if item.base_unit == Item.Unit.MILLILITRE:
        return ["L", "ml", "fl oz", "kg", "lb"]
    pieces = [_plural(item.piece_name)]
    if item.weight_per_piece_g is not None:
        pieces += ["kg", "lb"]
    return pieces


def plain(value: Decimal) -> str:
    """1200.500 -> '1,200.5'; 3.000 -> '3'."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def display(quantity: Decimal | None, item: Item) -> str:
    """A quantity in the base unit as a person would say it: 12.5 kg, 750 g, 3 cans."""
    from pantry.models import Item

    if quantity is None:
        return ""
    q = Decimal(quantity)
    if item.base_unit == Item.Unit.GRAM:
        return f"{plain(q / 1000)} kg" if abs(q) >= 1000 else f"{plain(q)} g"
    if item.base_unit == Item.Unit.MILLILITRE:
        return f"{plain(q / 1000)} L" if abs(q) >= 1000 else f"{plain(q)} ml"
    word = item.piece_name if abs(q) == 1 else _plural(item.piece_name)
    return f"{plain(q)} {word}"


def is_are(quantity: Decimal | None, item: Item, singular: str = "is", plural: str = "are") -> str:
    """The verb that agrees with a quantity as `display` writes it: "20 kg of Bread
    is", "1 loaf of Bread is", "50 loaves of Bread are" (pieces are counted)."""
    from pantry.models import Item

    if item.base_unit in (Item.Unit.GRAM, Item.Unit.MILLILITRE):
        return singular
    return singular if quantity is not None and abs(Decimal(quantity)) == 1 else plural


def display_weight(grams: Decimal | None) -> str:
    if grams is None:
        return "weight unknown"
    g = Decimal(grams)
    return f"{plain(g / 1000)} kg" if abs(g) >= 1000 else f"{plain(g)} g"

"""Quantities in whatever unit a person types, converted exactly to an item's base unit.

Stock is kept in grams, millilitres or pieces (Item.base_unit) as Decimal. People
type kg, lb, oz, L, fl oz, gal, "cans"...: pint does the conversion, with Decimal
arithmetic so that 2.2 lb is exactly 997.903 g, never 997.9029999. A quantity that
cannot become the item's unit (kg of a piece item with no weight per piece, litres
of flour) is a UnitError with a sentence a person can act on. Every site reads
every unit; gal, qt, pt and fl oz are the US measures (a British pint is typed
"imperial pint" or "UK pint").

Quantities are written back for people in the measures active for the work in
hand (commonpot.measures: the site's choice, metric or US customary), or in the
measures given by `measures=`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import pint
from django.utils.translation import gettext as _

from commonpot import measures as active
from commonpot.errors import DomainError
from commonpot.i18n import fold
from commonpot.numbers import local_marks, parse_decimal

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
# The same words in the other languages Commonpot speaks, without accents (as
# `_fold` compares them); plurals in -s and -es are read as for English, others listed.
LOCAL_PIECE_WORDS = frozenset(
    (
        # es, pt, fr
        "pieza",
        "unidad",
        "unidade",
        "lata",
        "bote",
        "frasco",
        "botella",
        "garrafa",
        "paquete",
        "pacote",
        "bolsa",
        "saco",
        "caja",
        "caixa",
        "bandeja",
        "racion",
        "porcion",
        "porcao",
        "tarro",
        "pote",
        "piece",
        "unite",
        "boite",
        "conserve",
        "bocal",
        "bouteille",
        "brique",
        "paquet",
        "sachet",
        "sac",
        "caisse",
        "barquette",
        "portion",
        "pain",
        "barra",
        "pao",
        # uk (with the forms a count takes)
        "штука",
        "штуки",
        "штук",
        "шт",
        "банка",
        "банки",
        "банок",
        "пляшка",
        "пляшки",
        "пляшок",
        "пачка",
        "пачки",
        "пачок",
        "пакет",
        "пакети",
        "пакетів",
        "коробка",
        "коробки",
        "коробок",
        "упаковка",
        "упаковки",
        "упаковок",
        "порція",
        "порції",
        "порцій",
        "буханка",
        "буханки",
        "буханок",
        # ar (singular and plural)
        "قطعة",
        "قطع",
        "علبة",
        "علب",
        "زجاجة",
        "زجاجات",
        "كيس",
        "أكياس",
        "اكياس",
        "صندوق",
        "صناديق",
        "عبوة",
        "عبوات",
        "حصة",
        "حصص",
        "رغيف",
        "أرغفة",
    )
)
IRREGULAR_PLURALS = {"loaves": "loaf", "boxes": "box", "pains": "pain", "paes": "pao"}
# The kitchen's words for weights and volumes, whatever their case, read before
# pint's own names: to pint "G" is a gauss, "ML" a megalitre, "Qt" and "Pt" metric
# tons, "Gal" an acceleration and "kilos" a thousand seconds.
KITCHEN_UNITS = {
    **dict.fromkeys(("g", "gram", "grams", "gramme", "grammes"), "gram"),
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"), "kilogram"),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), "pound"),
    **dict.fromkeys(("oz", "ounce", "ounces"), "ounce"),
    **dict.fromkeys(("ml", "millilitre", "millilitres", "milliliter", "milliliters"), "ml"),
    **dict.fromkeys(("l", "litre", "litres", "liter", "liters", "ltr"), "liter"),
    **dict.fromkeys(("floz", "fluid ounce", "fluid ounces"), "fluid_ounce"),
    **dict.fromkeys(("gal", "gals", "gallon", "gallons"), "gallon"),
    **dict.fromkeys(("qt", "qts", "quart", "quarts"), "quart"),
    **dict.fromkeys(("pt", "pts", "pint", "pints"), "pint"),
    **dict.fromkeys(("cup", "cups"), "cup"),
    # The metric words of the other languages (es, pt, fr, uk, ar), without accents.
    **dict.fromkeys(
        (
            "gramo",
            "gramos",
            "grama",
            "gramas",
            "г",
            "гр",
            "грам",
            "грами",
            "грамів",
            "غ",
            "غرام",
            "جم",
            "جرام",
        ),
        "gram",
    ),
    **dict.fromkeys(
        (
            "kilogramo",
            "kilogramos",
            "quilo",
            "quilos",
            "quilograma",
            "quilogramas",
            "кг",
            "кілограм",
            "кілограми",
            "кілограмів",
            "кило",
            "كغ",
            "كجم",
            "كيلو",
            "كيلوغرام",
            "كيلوجرام",
        ),
        "kilogram",
    ),
    **dict.fromkeys(
        (
            "mililitro",
            "mililitros",
            "мл",
            "мілілітр",
            "мілілітри",
            "мілілітрів",
            "مل",
            "مليلتر",
            "ملليلتر",
        ),
        "ml",
    ),
    **dict.fromkeys(("litro", "litros", "л", "літр", "літри", "літрів", "لتر", "لترات"), "liter"),
    **{
        f"{uk} {word}": name
        for uk in ("imperial", "uk")
        for words, name in (
            (("pint", "pints", "pt"), "imperial_pint"),
            (("quart", "quarts", "qt"), "imperial_quart"),
            (("gallon", "gallons", "gal"), "imperial_gallon"),
            (("floz", "fluid ounce", "fluid ounces"), "imperial_fluid_ounce"),
        )
        for word in words
    },
}
# Grams, millilitres in one of each US customary measure (exact by definition).
POUND_G = Decimal("453.59237")
OUNCE_G = POUND_G / 16
FLUID_OUNCE_ML = Decimal("29.5735295625")
GALLON_ML = Decimal("3785.411784")
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
    word = fold(text)
    words = set(PIECE_WORDS) | LOCAL_PIECE_WORDS
    if item is not None:
        words.add(fold(item.piece_name))
    singular = IRREGULAR_PLURALS.get(word, word)
    candidates = {singular, singular.removesuffix("s"), singular.removesuffix("es")}
    return bool(candidates & words)


def _normalise(unit: str) -> str:
    text = " ".join(unit.strip().split())
    text = re.sub(r"\bfl\.? ?oz\.?$", "floz", text, flags=re.IGNORECASE)
    return text.rstrip(".")


def parse_unit(unit: str, item: Item | None = None) -> pint.Unit:
    """The pint unit a person meant, or a UnitError that says it is not known."""
    text = _normalise(unit)
    if text and _is_piece_word(text, item):
        return registry().piece
    if fold(text) in KITCHEN_UNITS:
        return registry().parse_units(KITCHEN_UNITS[fold(text)])
    if not text or len(text) > 20 or not re.fullmatch(r"[A-Za-z ]+", text):
        raise UnitError(
            _("%(unit)r is not a unit we know.") % {"unit": unit.strip() or _("An empty unit")},
            field="unit",
        )
    ureg = registry()
    if text.lower() in KITCHEN_UNITS:
        return ureg.parse_units(KITCHEN_UNITS[text.lower()])
    for candidate in (text, text.lower()):
        try:
            parsed = ureg.parse_units(candidate)
        except Exception:  # noqa: BLE001, S112 — pint raises many kinds for unknown words
            continue
        # A single known unit, not an expression such as "kg m".
        if len(parsed._units) == 1 and next(iter(parsed._units.values())) == 1:
            return parsed
    raise UnitError(
        _(
            "%(unit)r is not a unit we know. Use g, kg, oz, lb, ml, L, fl oz, gal or "
            "pieces (cans, jars, packs...)."
        )
        % {"unit": unit.strip()},
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
        label=_("the quantity"),
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
                    _("%(item)s is not counted by volume: give it in %(units)s.")
                    % {"item": item.name, "units": _fitting_units(item)},
                    field="unit",
                )
        else:
            raise UnitError(
                _("%(unit)r is not a weight, a volume or a number of pieces.")
                % {"unit": unit.strip()},
                field="unit",
            )
    except pint.errors.PintError:
        raise UnitError(
            _("%(unit)r does not fit %(item)s: give it in %(units)s.")
            % {"unit": unit.strip(), "item": item.name, "units": _fitting_units(item)},
            field="unit",
        ) from None
    return parse_decimal(
        Decimal(in_base),
        field="quantity",
        label=_("the quantity"),
        ceiling=MAX_BASE,
        ceiling_text=display(MAX_BASE, item),
        error=UnitError,
    )


def _from_pieces(typed: pint.Quantity, item: Item) -> Decimal:
    from pantry.models import Item

    pieces = typed.to("piece").magnitude
    if item.base_unit == Item.Unit.PIECE:
        return pieces
    if item.base_unit == Item.Unit.GRAM:
        message = _("%(item)s is counted by weight: give it in %(units)s.")
    else:
        message = _("%(item)s is counted by volume: give it in %(units)s.")
    raise UnitError(message % {"item": item.name, "units": _fitting_units(item)}, field="unit")


def _pieces_from_grams(grams: Decimal, item: Item, unit: str) -> Decimal:
    if item.weight_per_piece_g is None:
        raise UnitError(
            _(
                "%(item)s is counted in %(pieces)s and has no weight per %(piece)s, so "
                "%(unit)s cannot be converted: count the %(pieces)s, or add a weight per "
                "%(piece)s to the item."
            )
            % {
                "item": item.name,
                "pieces": _plural(item.piece_name),
                "piece": item.piece_name,
                "unit": unit.strip(),
            },
            field="unit",
        )
    return grams / item.weight_per_piece_g


def _fitting_units(item: Item) -> str:
    from pantry.models import Item

    us = active.is_us()
    if item.base_unit == Item.Unit.GRAM:
        return _("lb, oz, kg or g") if us else _("g, kg, oz or lb")
    if item.base_unit == Item.Unit.MILLILITRE:
        return _("fl oz, gal, L or ml (or by weight)") if us else _("ml, L or fl oz (or by weight)")
    if item.weight_per_piece_g is None:
        return _plural(item.piece_name)
    weights = "lb, oz, kg, g" if us else "g, kg, oz, lb"
    return _("%(pieces)s or by weight (%(units)s)") % {
        "pieces": _plural(item.piece_name),
        "units": weights,
    }


def fitting_units(item: Item, measures: str | None = None) -> list[str]:
    """Units to offer for this item, the one a person would use first (in the
    active measures, or in `measures`)."""
    from pantry.models import Item

    us = (measures or active.get_measures()) == active.US
    if item.base_unit == Item.Unit.GRAM:
        return ["lb", "oz", "kg", "g"] if us else ["kg", "g", "lb", "oz"]
    if item.base_unit == Item.Unit.MILLILITRE:
        if us:
            return ["gal", "fl oz", "qt", "pt", "L", "ml", "lb"]
        return ["L", "ml", "fl oz", "kg", "lb"]
    pieces = [_plural(item.piece_name)]
    if item.weight_per_piece_g is not None:
        pieces += ["lb", "kg"] if us else ["kg", "lb"]
    return pieces


def weight_unit(measures: str | None = None) -> str:
    """The unit a quantity of unknown item is first given in: kg, or lb in US measures."""
    return "lb" if (measures or active.get_measures()) == active.US else "kg"


def unit_words(measures: str | None = None) -> list[str]:
    """The units the entry forms suggest (their list of choices), the site's first."""
    if (measures or active.get_measures()) == active.US:
        first = ["lb", "oz", "gal", "fl oz", "qt", "pt", "kg", "g", "L", "ml"]
    else:
        first = ["kg", "g", "lb", "oz", "L", "ml"]
    return [*first, "pieces", "cans", "jars", "packs", "bottles", "bags"]


def plain(value: Decimal) -> str:
    """1200.500 -> '1,200.5'; 3.000 -> '3'."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _figure(value: Decimal, places: int) -> str:
    """`value` rounded (half up) to `places` decimals, written as plain() writes."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return plain(rounded)


def _us_small(value: Decimal, unit: str) -> str:
    """Ounces (or fluid ounces) to 0.1, or to 0.01 below one so that a spoonful
    does not read as nothing."""
    return f"{_figure(value, 1 if abs(value) >= 1 else 2)} {unit}"


def _below(value: Decimal, limit: int) -> bool:
    """Is `value` under `limit` as written (15.98 oz reads 16 oz: a pound)?"""
    return abs(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) < limit


def _us_weight(grams: Decimal) -> str:
    """Under a pound in ounces (14.1 oz); from a pound in pounds to 0.01 (8.82 lb)."""
    ounces = grams / OUNCE_G
    if _below(ounces, 16):
        return _us_small(ounces, "oz")
    return f"{_figure(grams / POUND_G, 2)} lb"


def _us_volume(ml: Decimal) -> str:
    """Under a gallon in fluid ounces (33.8 fl oz); from a gallon in gallons (1.59 gal)."""
    fluid_ounces = ml / FLUID_OUNCE_ML
    if _below(fluid_ounces, 128):
        return _us_small(fluid_ounces, "fl oz")
    return f"{_figure(ml / GALLON_ML, 2)} gal"


def _is_us(measures: str | None) -> bool:
    return (measures or active.get_measures()) == active.US


def display(quantity: Decimal | None, item: Item, measures: str | None = None) -> str:
    """A quantity in the base unit as a person would say it: 12.5 kg, 750 g, 3 cans;
    in US measures 27.56 lb, 14.1 oz, 1.5 gal, 12 fl oz, 3 cans.

    Written in the measures active for the work in hand (commonpot.measures), or
    in `measures` ("metric" or "us") when given, and with the decimal and thousands
    marks of the page's language (12,5 kg in Spanish).
    """
    return local_marks(_display(quantity, item, measures))


def _display(quantity: Decimal | None, item: Item, measures: str | None = None) -> str:
    """`display` with English marks, as forms and the code read figures back."""
    from pantry.models import Item

    if quantity is None:
        return ""
    q = Decimal(quantity)
    if item.base_unit == Item.Unit.GRAM:
        if _is_us(measures):
            return _us_weight(q)
        return f"{plain(q / 1000)} kg" if abs(q) >= 1000 else f"{plain(q)} g"
    if item.base_unit == Item.Unit.MILLILITRE:
        if _is_us(measures):
            return _us_volume(q)
        return f"{plain(q / 1000)} L" if abs(q) >= 1000 else f"{plain(q)} ml"
    word = item.piece_name if abs(q) == 1 else _plural(item.piece_name)
    return f"{plain(q)} {word}"


# Grams or millilitres in one of each unit `display` writes.
SHOWN_UNITS = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "oz": OUNCE_G,
    "lb": POUND_G,
    "ml": Decimal(1),
    "L": Decimal(1000),
    "fl oz": FLUID_OUNCE_ML,
    "gal": GALLON_ML,
}


def typed_back(quantity: Decimal, item: Item, measures: str | None = None) -> tuple[str, str]:
    """A base quantity as a person would type it back into a form, exactly: (figure, unit).

    As `display` writes it when that reads back as the same quantity; else in the
    same unit with the decimals it takes (4000 g: not "8.82 lb", which is 4000.6 g,
    but "8.8184905 lb"), so that a form filled in with it and sent unchanged records
    what was there, not a little more or less.
    """
    text, _space, unit = _display(quantity, item, measures).replace(",", "").partition(" ")
    if item.base_unit == "piece" or unit not in SHOWN_UNITS or not quantity:
        return text, unit
    quantity = Decimal(quantity)
    for places in range(0, 10):
        figure = (quantity / SHOWN_UNITS[unit]).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
        if figure and to_base(figure, unit, item) == quantity:
            text = f"{figure:f}"
            return (text.rstrip("0").rstrip(".") if "." in text else text), unit
    return plain(quantity).replace(",", ""), "g" if item.base_unit == "g" else "ml"


def is_are(quantity: Decimal | None, item: Item, singular: str = "is", plural: str = "are") -> str:
    """The verb that agrees with a quantity as `display` writes it: "20 kg of Bread
    is", "1 loaf of Bread is", "50 loaves of Bread are" (pieces are counted)."""
    from pantry.models import Item

    if item.base_unit in (Item.Unit.GRAM, Item.Unit.MILLILITRE):
        return singular
    return singular if quantity is not None and abs(Decimal(quantity)) == 1 else plural


def agreeing(quantity: Decimal | None, item: Item) -> int:
    """The number a sentence about a quantity as `display` writes it agrees with, for
    ngettext: 1 for a weight or volume ("20 kg of Bread is"), else the count of
    pieces ("1 loaf of Bread is", "50 loaves of Bread are"), as is_are does."""
    from pantry.models import Item

    if item.base_unit in (Item.Unit.GRAM, Item.Unit.MILLILITRE):
        return 1
    count = abs(Decimal(quantity or 0))
    if count == 1:
        return 1
    # A part of a piece (2.5 cans) reads as a plural, as it does in English.
    return int(count) if count == count.to_integral_value() else max(2, int(count))


def display_weight(grams: Decimal | None, measures: str | None = None) -> str:
    """A weight in grams as a person would say it: 1.246 kg, 750 g; in US measures
    2.75 lb, 14.1 oz (in the active measures, or in `measures`)."""
    if grams is None:
        return _("weight unknown")
    g = Decimal(grams)
    if _is_us(measures):
        return local_marks(_us_weight(g))
    return local_marks(f"{plain(g / 1000)} kg" if abs(g) >= 1000 else f"{plain(g)} g")

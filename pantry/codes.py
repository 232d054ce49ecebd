"""Fixed code lists of the catalog: allergens, dietary tags, GTIN check digits.

Allergens are one list covering both the EU's 14 (Regulation 1169/2011, Annex II)
and the US's 9 major food allergens (FALCPA and the FASTER Act). Wheat is one of
the cereals containing gluten: marking an item "wheat" also marks it "gluten",
so a "free from gluten" filter never lets wheat through, while a US label that
names wheat alone still has its own code.

Sets of codes are stored as a bit mask in one integer column, so that "free from
milk and peanuts" is a single indexed-column test on every database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class Allergen(models.TextChoices):
    GLUTEN = "gluten", gettext_lazy("Cereals containing gluten (wheat, rye, barley, oats)")
    WHEAT = "wheat", gettext_lazy("Wheat (a gluten cereal)")
    CRUSTACEANS = "crustaceans", gettext_lazy("Crustaceans (crab, lobster, prawns, shrimp)")
    MOLLUSCS = "molluscs", gettext_lazy("Molluscs (mussels, oysters, squid)")
    EGGS = "eggs", gettext_lazy("Eggs")
    FISH = "fish", gettext_lazy("Fish")
    PEANUTS = "peanuts", gettext_lazy("Peanuts")
    TREE_NUTS = "tree_nuts", gettext_lazy("Tree nuts (almonds, hazelnuts, walnuts...)")
    SOY = "soy", gettext_lazy("Soybeans")
    MILK = "milk", gettext_lazy("Milk")
    SESAME = "sesame", gettext_lazy("Sesame")
    CELERY = "celery", gettext_lazy("Celery")
    MUSTARD = "mustard", gettext_lazy("Mustard")
    SULPHITES = "sulphites", gettext_lazy("Sulphur dioxide and sulphites")
    LUPIN = "lupin", gettext_lazy("Lupin")


# Short names for lists ("gluten, wheat, milk"), in the reader's language.
ALLERGEN_WORDS = {
    Allergen.GLUTEN: pgettext_lazy("allergen, short", "gluten"),
    Allergen.WHEAT: pgettext_lazy("allergen, short", "wheat"),
    Allergen.CRUSTACEANS: pgettext_lazy("allergen, short", "crustaceans"),
    Allergen.MOLLUSCS: pgettext_lazy("allergen, short", "molluscs"),
    Allergen.EGGS: pgettext_lazy("allergen, short", "eggs"),
    Allergen.FISH: pgettext_lazy("allergen, short", "fish"),
    Allergen.PEANUTS: pgettext_lazy("allergen, short", "peanuts"),
    Allergen.TREE_NUTS: pgettext_lazy("allergen, short", "tree nuts"),
    Allergen.SOY: pgettext_lazy("allergen, short", "soy"),
    Allergen.MILK: pgettext_lazy("allergen, short", "milk"),
    Allergen.SESAME: pgettext_lazy("allergen, short", "sesame"),
    Allergen.CELERY: pgettext_lazy("allergen, short", "celery"),
    Allergen.MUSTARD: pgettext_lazy("allergen, short", "mustard"),
    Allergen.SULPHITES: pgettext_lazy("allergen, short", "sulphites"),
    Allergen.LUPIN: pgettext_lazy("allergen, short", "lupin"),
}

# Which regime lists each code (for labels and the catalog guide).
EU_14 = frozenset(
    {
        Allergen.GLUTEN,
        Allergen.CRUSTACEANS,
        Allergen.MOLLUSCS,
        Allergen.EGGS,
        Allergen.FISH,
        Allergen.PEANUTS,
        Allergen.TREE_NUTS,
        Allergen.SOY,
        Allergen.MILK,
        Allergen.SESAME,
        Allergen.CELERY,
        Allergen.MUSTARD,
        Allergen.SULPHITES,
        Allergen.LUPIN,
    }
)
US_9 = frozenset(
    {
        Allergen.MILK,
        Allergen.EGGS,
        Allergen.FISH,
        Allergen.CRUSTACEANS,
        Allergen.TREE_NUTS,
        Allergen.PEANUTS,
        Allergen.WHEAT,
        Allergen.SOY,
        Allergen.SESAME,
    }
)
# A code that brings another with it.
IMPLIES = {Allergen.WHEAT: Allergen.GLUTEN}


class Dietary(models.TextChoices):
    VEGETARIAN = "vegetarian", gettext_lazy("Vegetarian")
    VEGAN = "vegan", gettext_lazy("Vegan")
    HALAL = "halal", gettext_lazy("Halal")
    KOSHER = "kosher", gettext_lazy("Kosher")
    GLUTEN_FREE = "gluten_free", gettext_lazy("Labelled gluten-free")
    NO_ADDED_SUGAR = "no_added_sugar", gettext_lazy("No added sugar")
    LOW_SALT = "low_salt", gettext_lazy("Low salt")


DIETARY_WORDS = {
    Dietary.VEGETARIAN: pgettext_lazy("dietary tag, short", "vegetarian"),
    Dietary.VEGAN: pgettext_lazy("dietary tag, short", "vegan"),
    Dietary.HALAL: pgettext_lazy("dietary tag, short", "halal"),
    Dietary.KOSHER: pgettext_lazy("dietary tag, short", "kosher"),
    Dietary.GLUTEN_FREE: pgettext_lazy("dietary tag, short", "gluten-free"),
    Dietary.NO_ADDED_SUGAR: pgettext_lazy("dietary tag, short", "no added sugar"),
    Dietary.LOW_SALT: pgettext_lazy("dietary tag, short", "low salt"),
}


def words_for(codes: Iterable[str], words: dict) -> list[str]:
    """Codes as a person reads them in a list: ["gluten", "tree nuts"]."""
    return [str(words.get(code, code)) for code in codes]


def _bits(choices: type[models.TextChoices]) -> dict[str, int]:
    # The bit of a code is its position in the list: append new codes at the end.
    return {code: 1 << i for i, code in enumerate(choices.values)}


ALLERGEN_BITS = _bits(Allergen)
DIETARY_BITS = _bits(Dietary)


def allergen_mask(codes: Iterable[str]) -> int:
    """The bit mask of these allergen codes, with what each implies added."""
    mask = 0
    for code in codes:
        if code not in ALLERGEN_BITS:
            raise ValidationError(_("%(code)r is not an allergen code.") % {"code": code})
        mask |= ALLERGEN_BITS[code]
        if code in IMPLIES:
            mask |= ALLERGEN_BITS[IMPLIES[code]]
    return mask


def dietary_mask(codes: Iterable[str]) -> int:
    mask = 0
    for code in codes:
        if code not in DIETARY_BITS:
            raise ValidationError(_("%(code)r is not a dietary tag.") % {"code": code})
        mask |= DIETARY_BITS[code]
    return mask


def codes_in(mask: int, bits: dict[str, int]) -> list[str]:
    return [code for code, bit in bits.items() if mask & bit]


def gtin_is_valid(value: str) -> bool:
    """GTIN-8, -12 (UPC-A), -13 (EAN) or -14 with a correct GS1 check digit."""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in value]
    body, check = digits[:-1], digits[-1]
    # Weights 3,1,3,1... from the digit next to the check digit, leftwards.
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def validate_gtin(value: str) -> None:
    if not value:
        return
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise ValidationError(
            _("A barcode (GTIN) has 8, 12, 13 or 14 digits and nothing else."), code="gtin_shape"
        )
    if not gtin_is_valid(value):
        raise ValidationError(
            _(
                "This barcode's last digit does not match the others: check it was typed "
                "or scanned correctly."
            ),
            code="gtin_check",
        )


def gtin_variants(gtin: str) -> list[str]:
    """The ways a catalog may have one GTIN written: with or without leading zeros
    (a GTIN-13 is the same product as the GTIN-14 "0" + those 13 digits)."""
    gtin14 = gtin.zfill(14)
    return [gtin14[-n:] for n in (14, 13, 12, 8) if set(gtin14[:-n]) <= {"0"}]

from decimal import Decimal

import pytest

from commonpot.words import counted
from pantry.codes import allergen_mask, gtin_is_valid
from pantry.units import UnitError, display, display_weight, is_are, to_base


@pytest.mark.parametrize(
    ("quantity", "unit", "grams"),
    [
        ("2", "kg", "2000.000"),
        ("2.5", "KG", "2500.000"),
        ("1", "lb", "453.592"),
        ("2.2", "lbs", "997.903"),
        ("16", "oz", "453.592"),
        ("750", "g", "750.000"),
        ("1,500", "grams", "1500.000"),
    ],
)
def test_weights_convert_exactly_to_grams(item_rice, quantity, unit, grams):
    assert to_base(quantity, unit, item_rice) == Decimal(grams)


def test_volumes_convert_to_millilitres_and_weights_through_density(item_milk):
    assert to_base("2", "L", item_milk) == Decimal("2000.000")
    assert to_base("500", "ml", item_milk) == Decimal("500.000")
    assert to_base("8", "fl oz", item_milk) == Decimal("236.588")
    assert to_base("1.03", "kg", item_milk) == Decimal("1000.000")


def test_pieces_have_many_names_and_convert_by_weight_when_known(item_beans):
    assert to_base("12", "cans", item_beans) == Decimal("12.000")
    assert to_base("3", "tins", item_beans) == Decimal("3.000")
    assert to_base("4", "pcs", item_beans) == Decimal("4.000")
    assert to_base("1", "each", item_beans) == Decimal("1.000")
    assert to_base("8.3", "kg", item_beans) == Decimal("20.000")


@pytest.mark.parametrize(
    ("quantity", "unit", "message"),
    [
        ("0", "kg", "more than zero"),
        ("-2", "kg", "more than zero"),
        ("lots", "kg", "not a number"),
        ("NaN", "kg", "not a number"),
        ("2", "splodges", "not a unit we know"),
        ("2", "furlongs", "not a weight, a volume"),
        ("2", "kg m", "not a unit we know"),
        ("2", "", "not a unit we know"),
        ("2", "__import__", "not a unit we know"),
        ("2", "L", "not counted by volume"),
        ("2", "cans", "counted by weight"),
        ("2", "m", "not a weight, a volume or a number of pieces"),
        ("0.0001", "g", "too small"),
    ],
)
def test_impossible_quantities_are_refused_in_words(item_rice, quantity, unit, message):
    with pytest.raises(UnitError, match=message):
        to_base(quantity, unit, item_rice)


def test_kilograms_of_a_piece_item_without_a_weight_cannot_convert(item_soap):
    with pytest.raises(UnitError, match="has no weight per bar"):
        to_base("2", "kg", item_soap)
    assert to_base("6", "bars", item_soap) == Decimal("6.000")


def test_quantities_are_shown_as_people_say_them(item_rice, item_milk, item_beans):
    assert display(Decimal("12500"), item_rice) == "12.5 kg"
    assert display(Decimal("750"), item_rice) == "750 g"
    assert display(Decimal("2000"), item_milk) == "2 L"
    assert display(Decimal("1"), item_beans) == "1 can"
    assert display(Decimal("3"), item_beans) == "3 cans"
    assert display_weight(Decimal("1245.5")) == "1.246 kg"
    assert display_weight(None) == "weight unknown"


def test_the_verb_after_a_quantity_agrees_with_it(item_rice, item_beans):
    said = [
        f"{display(Decimal(q), item)} {is_are(Decimal(q), item)}"
        for q, item in [(1, item_beans), (2, item_beans), (0, item_beans), (20000, item_rice)]
    ]
    assert said == ["1 can is", "2 cans are", "0 cans are", "20 kg is"]


def test_a_count_takes_the_noun_that_agrees_with_it():
    assert [counted(n, "lot", "lots") for n in (0, 1, 2)] == ["0 lots", "1 lot", "2 lots"]


@pytest.mark.parametrize(
    ("gtin", "valid"),
    [
        ("5012345678900", True),  # EAN-13
        ("5012345678901", False),
        ("036000291452", True),  # UPC-A
        ("036000291453", False),
        ("96385074", True),  # EAN-8
        ("10012345678902", True),  # GTIN-14
        ("501234567891", False),
        ("50123456789O0", False),
    ],
)
def test_barcodes_are_checked_by_their_check_digit(gtin, valid):
    assert gtin_is_valid(gtin) is valid


def test_wheat_is_one_of_the_gluten_cereals():
    from pantry.codes import ALLERGEN_BITS

    assert allergen_mask(["wheat"]) == ALLERGEN_BITS["wheat"] | ALLERGEN_BITS["gluten"]
    assert allergen_mask(["gluten"]) == ALLERGEN_BITS["gluten"]


def test_the_allergen_list_covers_the_eu_14_and_the_us_9():
    from pantry.codes import EU_14, US_9, Allergen

    assert len(EU_14) == 14 and len(US_9) == 9
    assert set(Allergen) == EU_14 | US_9


@pytest.mark.parametrize("quantity", ["1e999", "99999999999999", "Infinity"])
def test_an_absurd_quantity_is_refused_not_a_crash(item_rice, quantity):
    with pytest.raises(UnitError):
        to_base(quantity, "kg", item_rice)

"""One way to read numbers, and a database that refuses what a parser forgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse

from commonpot.errors import DomainError
from commonpot.numbers import is_zero, parse_decimal, parse_whole
from pantry.models import Lot
from pantry.network.models import Need
from pantry.units import MAX_BASE, UnitError
from tests.conftest import client_for
from tests.network.factories import bread, need, stock

CEILING = Decimal(1000)


@pytest.mark.parametrize(
    "raw",
    [
        "lots",
        "a bag",
        "²",
        "NaN",
        "nan",
        "sNaN",
        "inf",
        "-Infinity",
        float("nan"),
        "1 2",
    ],
)
def test_what_is_not_a_number_is_said_to_be_not_a_number(raw):
    with pytest.raises(DomainError, match="is not a number") as e:
        parse_decimal(raw, field="quantity", ceiling=CEILING)
    assert e.value.field == "quantity"


@pytest.mark.parametrize("raw", ["1e9999", "9" * 40, "1" * 4000, "1001", Decimal("1E+100"), 10**30])
def test_a_figure_past_the_ceiling_names_the_ceiling(raw):
    with pytest.raises(DomainError, match="The quantity must be at most 1,000") as e:
        parse_decimal(raw, field="quantity", label="the quantity", ceiling=CEILING)
    assert e.value.field == "quantity"


@pytest.mark.parametrize("raw", ["0", "-1", "-1e9999", "-0.5", Decimal("-0")])
def test_zero_and_below_are_refused_unless_zero_is_allowed(raw):
    with pytest.raises(DomainError, match="must be more than zero"):
        parse_decimal(raw, field="quantity", ceiling=CEILING)


def test_below_zero_is_refused_where_zero_is_allowed():
    assert parse_decimal("0", field="counted", ceiling=CEILING, zero_allowed=True) == 0
    with pytest.raises(DomainError, match="The count cannot be below zero"):
        parse_decimal(
            "-0.001", field="counted", label="the count", ceiling=CEILING, zero_allowed=True
        )


def test_digits_of_any_script_are_read_as_django_reads_them():
    assert parse_whole("１２", field="servings", ceiling=100) == 12


def test_many_decimals_are_rounded_to_the_columns_places():
    assert parse_decimal("2.0005", field="q", ceiling=CEILING) == Decimal("2.001")
    assert parse_decimal("1,200.5", field="q", ceiling=Decimal(2000)) == Decimal("1200.500")
    assert parse_decimal(" 7 ", field="hours", ceiling=24, places=2) == Decimal("7.00")
    assert parse_decimal("1." + "0" * 38, field="q", ceiling=CEILING) == 1
    with pytest.raises(DomainError, match="too small to record"):
        parse_decimal("0.0004", field="q", ceiling=CEILING)


def test_an_empty_value_asks_for_one():
    for raw in (None, "", "   "):
        with pytest.raises(DomainError, match="Enter the quantity"):
            parse_decimal(raw, field="quantity", label="the quantity", ceiling=CEILING)


def test_whole_numbers_are_whole():
    assert parse_whole("40", field="servings", ceiling=100) == 40
    assert parse_whole("3.0", field="servings", ceiling=100) == 3
    assert parse_whole(0, field="servings", ceiling=100, zero_allowed=True) == 0
    with pytest.raises(DomainError, match="Servings must be a whole number"):
        parse_whole("2.5", field="servings", ceiling=100)
    with pytest.raises(DomainError, match="must be at most 100"):
        parse_whole("1e9999", field="servings", ceiling=100)
    with pytest.raises(DomainError, match="is not a number"):
        parse_whole("²", field="servings", ceiling=100)


def test_the_error_class_can_be_a_domain_errors_own_kind():
    with pytest.raises(UnitError):
        parse_decimal("x", field="quantity", ceiling=CEILING, error=UnitError)


def test_zero_is_recognised_however_it_is_written():
    assert all(is_zero(raw) for raw in ("0", "0.000", " 0,0 ", Decimal(0)))
    assert not any(is_zero(raw) for raw in ("", "NaN", "sNaN", "²", "0.1", None))


# --- The reported case: a huge need broke the board for everyone --------------------


@pytest.mark.django_db
def test_a_huge_category_need_is_a_field_error_and_the_board_still_opens(site, lead):
    url = reverse("network:need_new", args=[site.slug])
    response = client_for(lead).post(
        url,
        {
            "token": "6b0c3c3e-5a55-4b1e-9d5e-3f7c1b0a9e01",
            "category": "produce",
            "quantity": "9999999999",
            "unit": "kg",
            "needed_by": (site.today() + timedelta(days=2)).isoformat(),
        },
    )
    assert 400 <= response.status_code < 500
    form = response.context["form"]
    assert form.errors["quantity"] == ["The quantity must be at most 10,000,000 kg."]
    assert not Need.objects.exists()
    board = reverse("network:board")
    assert client_for(lead).get(board).status_code == 200
    assert client_for(lead).get(board, {"show": "needs"}).status_code == 200
    assert (
        client_for(lead).get(reverse("network:site_surplus", args=[site.slug])).status_code == 200
    )


@pytest.mark.django_db
def test_a_huge_weight_worked_out_from_pieces_is_refused_on_the_quantity(site, lead):
    from pantry import services as pantry
    from tests.pantry.factories import ItemFactory

    heavy = ItemFactory(name="Pallet", base_unit="piece", weight_per_piece_g=Decimal("9999999"))
    with pytest.raises(DomainError, match="The weight of this quantity must be at most") as e:
        pantry.receive(site=site, item=heavy, quantity=Decimal(100000), by=lead, source="x")
    assert e.value.field == "quantity"
    assert not Lot.objects.exists()


# --- The database keeps the bounds itself ----------------------------------------

# SQLite stores any figure in any column, so the check constraints refuse it
# (IntegrityError); PostgreSQL's numeric type refuses it before they are asked
# (DataError). Either way nothing past the column is stored.
REFUSED = (IntegrityError, DataError)


@pytest.mark.django_db
def test_the_database_refuses_a_need_past_what_its_column_holds(site, lead):
    n = need(site, by=lead, category="produce")
    with pytest.raises(REFUSED), transaction.atomic():
        Need.objects.filter(pk=n.pk).update(quantity=Decimal("100000000000"))
    n.refresh_from_db()
    assert n.quantity == Decimal(10000)


@pytest.mark.django_db
def test_the_database_refuses_a_lot_holding_more_than_its_column_holds(site, lead):
    lot = stock(site, bread(), "1000", by=lead)
    with pytest.raises(REFUSED), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(on_hand=Decimal("-100000000000"))
    with pytest.raises(REFUSED), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(on_hand=Decimal("100000000000"))
    lot.refresh_from_db()
    assert lot.on_hand == 1000


def test_the_parsers_ceiling_is_within_the_stock_columns():
    from commonpot.numbers import column_bound
    from pantry.models import QTY

    assert column_bound(QTY["max_digits"], QTY["decimal_places"]) > MAX_BASE

"""Reading the numbers people type, and keeping them inside what a column holds.

Every quantity, weight, count of servings and hour that a form or a service
takes passes through `parse_decimal` or `parse_whole`, so that every app
refuses the same things with the same words, each error naming its field:

- Words and symbols: `"²".isdigit()` is true but `int("²")` fails, and
  `Decimal("a bag")` raises; both are "... is not a number".
- `Decimal("NaN")`, `"Infinity"` and `float("inf")` parse but are not
  quantities; they would also pass every comparison the wrong way.
- `"1e9999"` and a forty-digit string are finite Decimals far beyond any column:
  stored, a page that reads them back answers 500 (SQLite's converter raises
  InvalidOperation; PostgreSQL refuses the insert). So every parser takes a
  ceiling, and no ceiling may be above what its column holds.
- Many decimals are rounded (half up) to the column's places; a positive
  amount that rounds to nothing is "too small to record".

The same bounds are kept by the database itself: `fits_column` builds the check
constraints for a model's columns, so that no later form or script can store a figure
that breaks a page.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from commonpot.errors import DomainError

# What PostgreSQL's integer columns hold (SQLite's hold more, and are kept to these).
MAX_INT = 2**31 - 1
MAX_SMALL_INT = 2**15 - 1


def column_bound(max_digits: int, decimal_places: int) -> Decimal:
    """What a DecimalField(max_digits, decimal_places) holds: every value below this."""
    return Decimal(10) ** (max_digits - decimal_places)


def fits_columns(
    table: str,
    *fields: str,
    max_digits: int = 0,
    decimal_places: int = 0,
    maximum: int | None = None,
) -> list[models.CheckConstraint]:
    """Check constraints keeping each of `fields` inside what its column holds.

    For decimal columns give max_digits and decimal_places (values strictly
    between minus and plus 10 ** (max_digits - decimal_places)); for integer
    columns (all positive here) give `maximum` (MAX_INT or MAX_SMALL_INT: SQLite
    would store more, which PostgreSQL refuses). NULL passes, as in SQL.
    Each is named "<table>_<field>_fits".
    """
    constraints = []
    for field in fields:
        words = field.replace("_", " ").capitalize()
        if maximum is not None:
            condition = Q(**{f"{field}__lte": maximum})
            message = f"{words} must be at most {plain_number(maximum)}."
        else:
            bound = column_bound(max_digits, decimal_places)
            condition = Q(**{f"{field}__lt": bound}) & Q(**{f"{field}__gt": -bound})
            message = f"{words} must be below {plain_number(bound)}."
        constraints.append(
            models.CheckConstraint(
                condition=condition,
                name=f"{table}_{field}_fits",
                violation_error_message=message,
            )
        )
    return constraints


def local_marks(text: str) -> str:
    """A figure written with English marks ("1,200.5 kg") in the active language's
    ("1.200,5 kg" in Spanish, "1 200,5 kg" in French); English's unchanged."""
    decimal = formats.get_format("DECIMAL_SEPARATOR")
    thousands = formats.get_format("THOUSAND_SEPARATOR")
    if (decimal, thousands) == (".", ","):
        return text
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def grouped(value: Decimal | float | int, places: int = 0) -> str:
    """A count or a figure for people to read: 1,234 in English, 1.234 in Spanish."""
    return local_marks(f"{value:,.{places}f}")


def plain_number(value: Decimal | int) -> str:
    """10000000000 -> '10,000,000,000'; 2.50 -> '2.5'."""
    text = f"{Decimal(value):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _label(field: str, label: str | None) -> str:
    return label if label is not None else field.replace("_", " ")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(raw: object) -> str:
    text = str(raw).strip()
    return repr(text if len(text) <= 20 else text[:17] + "...")


def too_much(
    value: Decimal | int,
    *,
    ceiling: Decimal | int,
    field: str,
    label: str | None = None,
    ceiling_text: str | None = None,
    error: type[DomainError] = DomainError,
) -> None:
    """Refuse `value` above `ceiling`, in the words every parser uses.

    For figures a service works out (a lot's new stock, a weight from pieces)
    rather than reads: they must fit their column as much as typed ones do.
    """
    if value > ceiling:
        limit = ceiling_text or plain_number(ceiling)
        raise error(
            _("%(what)s must be at most %(limit)s.")
            % {"what": _sentence(_label(field, label)), "limit": limit},
            field=field,
        )


# Spaces that group digits: a plain space, a no-break space and French's narrow one.
_GROUPING_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


class AmbiguousNumber(ValueError):
    """A figure whose mark could be a decimal mark or a thousands mark."""


def decimal_text(raw: object) -> str:
    """A number as typed on a page in the active language, as Decimal() reads it.

    Where the language writes a decimal comma (es, pt-br, fr, uk, ar), "2,5" is
    2.5 and "1.234,5" or "1 234,5" is 1234.5; "2.5" is 2.5 too (a keyboard with
    only a point). In English "1,234.5" is 1234.5. Arabic's own marks (٫ and ٬)
    are read too. A mark that could be either is not guessed: "1.500" where the
    comma is the decimal mark, or "2,5" in English, raise AmbiguousNumber.
    Other text passes through for Decimal() to refuse.
    """
    text = str(raw).strip()
    if re.fullmatch(r"[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d*)?", text):
        text = text.translate(_GROUPING_SPACES)  # "1 234,5": spaces only between groups of three
    text = text.replace("\u066b", ".").replace("\u066c", "")  # Arabic's decimal, thousands
    decimal = "," if formats.get_format("DECIMAL_SEPARATOR") == "," else "."
    other = "." if decimal == "," else ","
    if other not in text:
        return text.replace(decimal, ".")
    # The other mark is there: only as groups of three, before any decimals.
    grouped = rf"[+-]?\d{{1,3}}(?:{re.escape(other)}\d{{3}})+(?:{re.escape(decimal)}\d*)?"
    if re.fullmatch(grouped, text):
        if decimal == "," and decimal not in text:
            raise AmbiguousNumber(text)  # "1.500": one and a half, or fifteen hundred?
        return text.replace(other, "").replace(decimal, ".")
    if decimal == "," and re.fullmatch(r"[+-]?\d*\.\d+", text):
        return text
    raise AmbiguousNumber(text)


def _read(raw: object, *, field: str, label: str, error: type[DomainError]) -> Decimal:
    """Any finite Decimal a person could mean, or the error that says it is not a number."""
    if raw is None or isinstance(raw, bool) or (isinstance(raw, str) and not raw.strip()):
        raise error(_("Enter %(what)s.") % {"what": label}, field=field)
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    else:
        try:
            text = decimal_text(raw)
        except AmbiguousNumber:
            raise error(
                _(
                    "%(given)s could be read two ways: write it without the thousands mark, "
                    "with %(mark)s before the decimals (%(example)s)."
                )
                % {
                    "given": _shown(raw),
                    "mark": formats.get_format("DECIMAL_SEPARATOR"),
                    "example": formats.number_format(Decimal("1500.5"), 1),
                },
                field=field,
            ) from None
        # Decimal() reads any script's digits ("１２" from a phone's wide keyboard
        # is 12, as Django's own number fields read it), but not "²" or "½".
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            raise error(
                _("%(given)s is not a number.") % {"given": _shown(raw)}, field=field
            ) from None
    if not value.is_finite():
        raise error(_("%(given)s is not a number.") % {"given": _shown(raw)}, field=field)
    return value


def _check_floor(
    value: Decimal, *, zero_allowed: bool, field: str, label: str, error: type[DomainError]
) -> None:
    if zero_allowed and value < 0:
        raise error(_("%(what)s cannot be below zero.") % {"what": _sentence(label)}, field=field)
    if not zero_allowed and value <= 0:
        raise error(_("%(what)s must be more than zero.") % {"what": _sentence(label)}, field=field)


def parse_decimal(
    raw: object,
    *,
    field: str,
    ceiling: Decimal | int,
    places: int = 3,
    zero_allowed: bool = False,
    label: str | None = None,
    ceiling_text: str | None = None,
    error: type[DomainError] = DomainError,
) -> Decimal:
    """A Decimal from 0 (or just above it) to `ceiling`, rounded to `places`.

    `field` names the form field the error belongs to; `label` is how the
    message names it ("the quantity"), by default the field's name in words.
    `ceiling` is required: a number without one is how a page breaks (see the
    module's docstring). Raises `error` (DomainError or a subclass of it).
    """
    label = _label(field, label)
    value = _read(raw, field=field, label=label, error=error)
    _check_floor(value, zero_allowed=zero_allowed, field=field, label=label, error=error)
    # Before rounding: quantize() itself raises on figures past Decimal's precision.
    too_much(
        value, ceiling=ceiling, field=field, label=label, ceiling_text=ceiling_text, error=error
    )
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0 and value != 0:
        raise error(_("%(what)s is too small to record.") % {"what": _sentence(label)}, field=field)
    return rounded


def parse_whole(
    raw: object,
    *,
    field: str,
    ceiling: int,
    zero_allowed: bool = False,
    label: str | None = None,
    error: type[DomainError] = DomainError,
) -> int:
    """A whole number from 0 (or 1) to `ceiling`; "3.0" is 3, "2.5" is refused."""
    label = _label(field, label)
    value = _read(raw, field=field, label=label, error=error)
    _check_floor(value, zero_allowed=zero_allowed, field=field, label=label, error=error)
    too_much(value, ceiling=ceiling, field=field, label=label, error=error)
    if value != value.to_integral_value():
        raise error(_("%(what)s must be a whole number.") % {"what": _sentence(label)}, field=field)
    return int(value)


def is_zero(raw: object) -> bool:
    """Whether a person typed zero ("0", "0.0", "0,000"): a form's way to say "none"."""
    if isinstance(raw, str) and re.fullmatch(r"\s*0+(?:[.,]0*)?\s*", raw):
        return True  # zero, whichever mark the language reads as decimal
    try:
        return _read(raw, field="", label="", error=DomainError) == 0
    except DomainError:
        return False


def clamp_into_columns(app_label: str, fields: dict[str, list[str]]):
    """A migration step to run before adding `fits_columns` constraints.

    SQLite stored figures past a column's size before the constraints existed
    (and every page reading them answered 500). Such a row is brought to the
    largest value its column holds, so the constraint can be added and the
    pages open again; a lead then corrects it like any other mistake.
    """

    def clamp(apps, schema_editor) -> None:
        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            for name in names:
                field = model._meta.get_field(name)
                if isinstance(field, models.DecimalField):
                    step = Decimal(1).scaleb(-field.decimal_places)
                    top = column_bound(field.max_digits, field.decimal_places) - step
                elif isinstance(field, models.PositiveSmallIntegerField | models.SmallIntegerField):
                    top = MAX_SMALL_INT
                else:
                    top = MAX_INT
                rows = model.objects.all()
                rows.filter(**{f"{name}__gt": top}).update(**{name: top})
                rows.filter(**{f"{name}__lt": -top}).update(**{name: -top})

    return clamp

"""Reading a scanned barcode: which product, and for GS1 codes its lot, dates and weight.

GS1 is the barcode standard on food packs. A plain EAN-13 or UPC-A names the product
only (its GTIN); a GS1-128 or GS1 DataMatrix code, or a GS1 Digital Link URL (a QR
code), also carries "application identifiers": (10) the lot, (15) best before,
(17) use by, (310n) net weight in kg with n decimals, (320n) in pounds. The parsing
is biip's, a maintained library that knows every AI's format and checks check digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import biip
from biip.gs1_messages import GS1Message
from biip.upc import Upc
from django.http import HttpResponse
from django.utils.translation import gettext as _

from commonpot.errors import DomainError

# A DataMatrix holds up to ~2,300 characters; the food codes we read are under 100.
MAX_LENGTH = 300
GROUP_SEPARATOR = "\x1d"


class BarcodeError(DomainError):
    """A code that names no product: not GS1, a wrong check digit, or empty."""


@dataclass(frozen=True)
class Scan:
    """What one barcode says about the food it is on."""

    gtin: str  # as printed: 8, 12, 13 or 14 digits
    # An 8-digit code may be an EAN-8 or a UPC-E (a UPC-A with its zeros left out):
    # the other reading, as the UPC-A it stands for, is tried in the catalog too.
    also: tuple[str, ...] = ()
    lot_code: str = ""
    best_before: date | None = None
    use_by: date | None = None
    net_weight: Decimal | None = None
    weight_unit: str = ""  # "kg" (AI 310n) or "lb" (AI 320n)

    @property
    def gtin14(self) -> str:
        return self.gtin.zfill(14)

    @property
    def gtins(self) -> tuple[str, ...]:
        """Every GTIN the code may stand for, the likelier first."""
        return (self.gtin, *self.also)

    @property
    def lot_date(self) -> date | None:
        """The date to keep on the lot: use-by (safety) when the code has both."""
        return self.use_by or self.best_before

    @property
    def date_kind(self) -> str:
        """ "use_by", "best_before", or "" when the code carries no date."""
        if self.use_by:
            return "use_by"
        return "best_before" if self.best_before else ""


def read_barcode(text: str) -> Scan:
    """The product and details in the raw text of a scanned or typed code.

    Takes element strings with FNC1/GS separators (optionally after a symbology
    identifier such as "]d2"), the parenthesised form printed under a barcode
    ("(01)05012345678900(10)AB12"), GS1 Digital Link URLs and plain GTINs.
    Raises BarcodeError with a sentence a person can act on.
    """
    raw = (text or "").strip(" \t\r\n")
    if not raw:
        raise BarcodeError(_("Scan a barcode or type its digits."))
    if len(raw) > MAX_LENGTH:
        raise BarcodeError(_("This is too long for a product barcode: scan it again."))
    if raw.isdigit() and len(raw) in (6, 7):
        # A UPC-E as some readers give it: without its check digit or number system.
        return _upc_e(raw)
    try:
        if raw.startswith("("):
            message = GS1Message.parse_hri(raw)
            return _from_message(message, raw)
        result = biip.parse(raw)
    except biip.ParseError as e:
        raise BarcodeError(_not_gs1(raw)) from e
    if raw.isdigit() and len(raw) in (8, 12, 13, 14):
        # A plain EAN/UPC: its digits may also read as some GS1 element string.
        if result.gtin is None:
            raise BarcodeError(_bad_check_digit(raw))
        gtin = _as_printed(result.gtin)
        readings = [raw] if len(raw) == 8 else []
        if len(raw) == 8 and result.upc is not None and result.upc.format.name == "UPC_E":
            readings.append(result.upc.as_upc_a())
        return Scan(gtin=gtin, also=tuple(g for g in dict.fromkeys(readings) if g != gtin))
    message = result.gs1_message
    if message is None and result.gs1_digital_link_uri is not None:
        message = result.gs1_digital_link_uri.as_gs1_message()
    if message is not None:
        return _from_message(message, raw)
    raise BarcodeError(_not_gs1(raw))


def _upc_e(raw: str) -> Scan:
    try:
        upc = Upc.parse(raw)
    except biip.ParseError as e:
        raise BarcodeError(_not_gs1(raw)) from e
    return Scan(gtin=upc.as_upc_a())


def _from_message(message: GS1Message, raw: str) -> Scan:
    found: dict[str, object] = {}
    for element in message.element_strings:
        ai = element.ai.ai
        if ai == "01":
            if element.gtin is None:
                raise BarcodeError(_bad_check_digit(element.value))
            found["gtin"] = _as_printed(element.gtin)
        elif ai == "10":
            found["lot_code"] = element.value
        elif ai == "15":
            found["best_before"] = element.date
        elif ai == "17":
            found["use_by"] = element.date
        elif ai.startswith("310") and element.decimal is not None:
            found["net_weight"], found["weight_unit"] = element.decimal, "kg"
        elif ai.startswith("320") and element.decimal is not None and "net_weight" not in found:
            found["net_weight"], found["weight_unit"] = element.decimal, "lb"
    if "gtin" not in found:
        raise BarcodeError(
            _(
                "This GS1 code (%(code)s) names no product (it has no GTIN, AI 01): "
                "scan the product's own barcode."
            )
            % {"code": _shown(raw)}
        )
    return Scan(**found)  # type: ignore[arg-type]


def _as_printed(gtin) -> str:
    """A GTIN-13 read from AI (01) comes as 14 digits with a leading 0: keep 13."""
    digits = {"GTIN_8": 8, "GTIN_12": 12, "GTIN_13": 13}.get(gtin.format.name, 14)
    return gtin.value[-digits:]


def _shown(raw: str) -> str:
    shown = raw.replace(GROUP_SEPARATOR, " ")
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _bad_check_digit(raw: str) -> str:
    return _(
        "The barcode %(code)s has a wrong check digit (its last digit does not match "
        "the others): scan it again or check the digits typed."
    ) % {"code": _shown(raw)}


def _not_gs1(raw: str) -> str:
    return _(
        "%(code)s is not a product barcode (EAN, UPC or GS1): scan the barcode on "
        "the pack, or type the digits under it."
    ) % {"code": _shown(raw)}


def allow_barcode_decoder(response: HttpResponse) -> HttpResponse:
    """Let a page with a "Scan" button compile the vendored barcode decoder
    (WebAssembly, for browsers without the BarcodeDetector API); every other page
    keeps a script-src without it."""
    response._csp_update = {"script-src": ["'wasm-unsafe-eval'"]}  # read by django-csp
    return response

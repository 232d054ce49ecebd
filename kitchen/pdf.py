"""Label sheets for cooked meals (WeasyPrint), sized for common sheets of labels.

A4: 3 x 7 labels of 63.5 x 38.1 mm (the L7160 layout). US Letter: 3 x 10 labels
of 2 5/8 x 1 in (the 5160 layout). The site's paper size picks the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.template.loader import render_to_string

from commonpot.models import Site
from kitchen.cooking import LEFTOVER_DEFAULT_DAYS, leftover_storage
from kitchen.models import MealService
from pantry.models import PantrySettings, PaperSize

MAX_LABELS = 300


@dataclass(frozen=True)
class Sheet:
    name: str
    page: str  # CSS page size
    columns: int
    rows: int
    width: str
    height: str
    top: str
    side: str
    column_gap: str
    row_gap: str
    font: str

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


SHEETS = {
    PaperSize.A4: Sheet(
        "A4, 21 labels (3 x 7, 63.5 x 38.1 mm)",
        "A4",
        3,
        7,
        "63.5mm",
        "38.1mm",
        "15.15mm",
        "7.25mm",
        "2.54mm",
        "0mm",
        "8pt",
    ),
    PaperSize.LETTER: Sheet(
        "US Letter, 30 labels (3 x 10, 2 5/8 x 1 in)",
        "letter",
        3,
        10,
        "2.625in",
        "1in",
        "0.5in",
        "0.1875in",
        "0.125in",
        "0in",
        "6.5pt",
    ),
}


def sheet_for(site: Site) -> Sheet:
    return SHEETS.get(PantrySettings.for_site(site).paper_size, SHEETS[PaperSize.A4])


def _int(raw, default: int, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


@dataclass(frozen=True)
class LabelOptions:
    count: int  # labels to print
    skip: int = 0  # labels already used at the start of a partly used sheet

    @classmethod
    def from_query(cls, params, meal: MealService) -> LabelOptions:
        sheet = sheet_for(meal.site)
        default = meal.leftover_servings or sheet.per_sheet
        return cls(
            count=_int(params.get("count"), min(default, MAX_LABELS), 1, MAX_LABELS),
            skip=_int(params.get("skip"), 0, 0, sheet.per_sheet - 1),
        )


def use_by(meal: MealService) -> date | None:
    if meal.leftover_lot is not None:
        return meal.leftover_lot.best_before
    storage = leftover_storage(meal.site)
    if storage is None or meal.cooked_at is None:
        return None
    cooked = meal.site.local(meal.cooked_at).date()
    return cooked + timedelta(days=LEFTOVER_DEFAULT_DAYS[storage])


def labels_html(meal: MealService, options: LabelOptions) -> str:
    site = meal.site
    sheet = sheet_for(site)
    cells = [None] * options.skip + [meal] * options.count
    pages = [cells[i : i + sheet.per_sheet] for i in range(0, len(cells), sheet.per_sheet)]
    return render_to_string(
        "kitchen/pdf/labels.html",
        {
            "meal": meal,
            "site": site,
            "sheet": sheet,
            "pages": pages,
            "cooked_on": site.local(meal.cooked_at).date() if meal.cooked_at else None,
            "use_by": use_by(meal),
            "allergens": meal.allergen_labels,
            "dietary": meal.dietary_labels,
        },
    )


def labels_pdf(meal: MealService, options: LabelOptions) -> bytes:
    from weasyprint import HTML

    # No base URL from the request: a PDF never fetches anything over the network.
    return HTML(string=labels_html(meal, options), base_url=str(settings.BASE_DIR)).write_pdf()

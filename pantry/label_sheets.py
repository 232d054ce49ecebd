"""Standard sheets of sticky labels: where each label sits on the page, exactly.

Sizes and margins are the makers' published templates (Avery L7160, L7163, 5160,
5163 and their equals from other makers), kept in millimetres so a label's CSS
box lands on the printed label to a tenth of a millimetre. A site picks its sheet
on its Settings page; by default the one that matches its paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from commonpot.models import Site
from pantry.models import LabelSheet, PantrySettings, PaperSize

INCH = 25.4  # mm
POINTS_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str  # keeps the label's size in brackets at its end (kitchen.pdf reads it)
    page: str  # the CSS page size
    columns: int
    rows: int
    # All in millimetres.
    width: float
    height: float
    top: float
    side: float
    column_gap: float
    row_gap: float
    font_pt: float  # the largest the text is set; smaller when a label has more to say

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def page_width(self) -> float:
        return 210.0 if self.page == "A4" else 8.5 * INCH

    @property
    def page_height(self) -> float:
        return 297.0 if self.page == "A4" else 11 * INCH

    @property
    def css(self) -> dict[str, str]:
        """Its dimensions as CSS lengths: {"width": "63.5mm", ...}."""
        names = ("width", "height", "top", "side", "column_gap", "row_gap")
        return {name: f"{round(getattr(self, name), 4):g}mm" for name in names}


SHEETS = {
    sheet.key: sheet
    for sheet in [
        # Translators: sheets of sticky labels. Keep the sizes in brackets at the end.
        Sheet(LabelSheet.A4_21, _("A4, 21 labels (3 × 7, 63.5 × 38.1 mm)"), "A4", 3, 7,
              63.5, 38.1, 15.15, 7.25, 2.5, 0, 7.5),
        Sheet(LabelSheet.A4_14, _("A4, 14 labels (2 × 7, 99.1 × 38.1 mm)"), "A4", 2, 7,
              99.1, 38.1, 15.15, 4.65, 2.5, 0, 8),
        Sheet(LabelSheet.LETTER_30, _("US Letter, 30 labels (3 × 10, 2⅝ × 1 in)"), "letter", 3, 10,
              2.625 * INCH, 1 * INCH, 0.5 * INCH, 0.1875 * INCH, 0.125 * INCH, 0, 6.5),
        Sheet(LabelSheet.LETTER_10, _("US Letter, 10 labels (2 × 5, 4 × 2 in)"), "letter", 2, 5,
              4 * INCH, 2 * INCH, 0.5 * INCH, 0.15625 * INCH, 0.1875 * INCH, 0, 9),
    ]
}  # fmt: skip
BY_PAPER = {PaperSize.A4: LabelSheet.A4_21, PaperSize.LETTER: LabelSheet.LETTER_30}


def sheet_for(site: Site, choice: str = "") -> Sheet:
    """The sheet asked for, else the site's chosen sheet, else the one that fits its paper."""
    if choice in SHEETS:
        return SHEETS[choice]
    stores = PantrySettings.for_site(site)
    key = stores.label_sheet or BY_PAPER.get(stores.paper_size, LabelSheet.A4_21)
    return SHEETS.get(key, SHEETS[LabelSheet.A4_21])

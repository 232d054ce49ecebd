"""Labels a kitchen may stick on the food it cooked (WeasyPrint), on standard label sheets.

Food packed where it is given out is "prepacked for direct sale" in UK law (the
Food Information (Amendment) (England) Regulations 2019, "Natasha's law"): its
label names the food, lists every ingredient in descending order of weight with
the 14 allergens emphasised in the list itself, and the kitchen's name and
address. A meal's label also carries a use-by date, how to keep it and how to
reheat it. The ingredients are what the cook actually used (substitutes
included), read from the meal's moves in the ledger, heaviest first.

The sheet is the site's (pantry.label_sheets): the text is set as large as the
label allows, down to the legal minimum x-height; a meal whose label does not fit
even then is refused with a message naming a larger label.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

from django.conf import settings
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.errors import DomainError
from kitchen.cooking import LEFTOVER_DEFAULT_DAYS, leftover_storage
from kitchen.models import MealService
from pantry.codes import ALLERGEN_BITS, Allergen, codes_in
from pantry.label_sheets import POINTS_PER_MM, SHEETS, Sheet, sheet_for
from pantry.models import Item, Measures, PantrySettings, StockMove, Storage

MAX_LABELS = 300

# The word emphasised for each allergen (in the label's language), and the words in
# an ingredient's own name that already say it ("Wheat flour", "Free-range eggs"):
# the catalog's names are matched as written, in English. Wheat names its cereal,
# so gluten is not said twice for it.
ALLERGEN_WORDS = {
    Allergen.GLUTEN: (
        # Translators: this word and the allergen words after it are set in bold after
        # an ingredient on a food label when its name does not say it: "Pesto (nuts, milk)".
        gettext_lazy("gluten"),
        ["gluten", "wheat", "rye", "barley", "oat", "spelt"],
    ),
    Allergen.WHEAT: (gettext_lazy("wheat"), ["wheat"]),
    Allergen.CRUSTACEANS: (
        gettext_lazy("crustaceans"),
        ["crustacean", "crab", "lobster", "prawn", "shrimp", "crayfish", "langoustine"],
    ),
    Allergen.MOLLUSCS: (
        gettext_lazy("molluscs"),
        ["mollusc", "mussel", "oyster", "squid", "clam", "scallop", "octopus", "whelk"],
    ),
    Allergen.EGGS: (gettext_lazy("egg"), ["egg"]),
    Allergen.FISH: (
        gettext_lazy("fish"),
        ["fish", "salmon", "tuna", "cod", "haddock", "mackerel", "sardine", "anchov", "pollock"],
    ),
    Allergen.PEANUTS: (gettext_lazy("peanuts"), ["peanut", "groundnut"]),
    Allergen.TREE_NUTS: (
        gettext_lazy("nuts"),
        ["almond", "hazelnut", "walnut", "cashew", "pecan", "pistachio", "macadamia", "nut"],
    ),
    Allergen.SOY: (gettext_lazy("soya"), ["soy", "tofu", "edamame"]),
    Allergen.MILK: (gettext_lazy("milk"), ["milk"]),
    Allergen.SESAME: (gettext_lazy("sesame"), ["sesame", "tahini"]),
    Allergen.CELERY: (gettext_lazy("celery"), ["celery", "celeriac"]),
    Allergen.MUSTARD: (gettext_lazy("mustard"), ["mustard"]),
    Allergen.SULPHITES: (
        gettext_lazy("sulphites"),
        ["sulphite", "sulfite", "sulphur dioxide"],
    ),
    Allergen.LUPIN: (gettext_lazy("lupin"), ["lupin"]),
}

REHEAT = gettext_lazy("Reheat until piping hot, 75 °C / 165 °F for 30 seconds; reheat once only.")
STORAGE = {
    (Storage.CHILLED, Measures.METRIC): gettext_lazy("Keep refrigerated at 5 °C or below."),
    (Storage.CHILLED, Measures.US): gettext_lazy("Keep refrigerated at 41 °F (5 °C) or below."),
    (Storage.FROZEN, Measures.METRIC): gettext_lazy(
        "Keep frozen at −18 °C or below. Defrost in the fridge and use within 24 hours."
    ),
    (Storage.FROZEN, Measures.US): gettext_lazy(
        "Keep frozen at 0 °F (−18 °C) or below. Defrost in the fridge and use within 24 hours."
    ),
}
NOT_KEPT = gettext_lazy("Eat on the day it was cooked.")

# The law's smallest x-height on a pack whose largest side is under 80 cm² (every
# sheet here) is 0.9 mm; DejaVu Sans's x-height is 0.55 of its size, so 4.7 pt.
MIN_FONT_PT = 4.7
# Average advance of DejaVu Sans, bold and plain mixed, as a share of the size:
# on the generous side, so an estimate that fits does fit.
CHAR_WIDTH_EM = 0.6
LINE_HEIGHT_EM = 1.2
PADDING_MM = (1.5, 2.0)  # top and bottom, left and right


@dataclass(frozen=True)
class Ingredient:
    name: str
    allergens: tuple[str, ...]  # allergen codes

    @property
    def html(self) -> SafeString:
        """The name with its allergens in bold: "<strong>Wheat</strong> flour",
        "Cheddar cheese (<strong>milk</strong>)"."""
        text = escape(self.name)
        unsaid = []
        codes = set(self.allergens)
        if Allergen.WHEAT in codes:
            codes.discard(Allergen.GLUTEN)
        for code in [c for c in ALLERGEN_BITS if c in codes]:
            word, stems = ALLERGEN_WORDS[code]
            said = "|".join(re.escape(stem) for stem in stems)
            # Not inside a word ("Buttermilk" gets its "(milk)"), nor bold twice.
            text, found = re.subn(
                rf"(?<!<strong>)\b(?:{said})[a-z]*", _emphasise, text, flags=re.IGNORECASE
            )
            if not found and not re.search(rf"<strong>(?:{said})", text, re.IGNORECASE):
                unsaid.append(str(word))
        if unsaid:
            text += " (" + ", ".join(f"<strong>{word}</strong>" for word in unsaid) + ")"
        return mark_safe(text)  # noqa: S308 - the name was escaped; only our tags were added

    @property
    def plain(self) -> str:
        return unescape(re.sub(r"<[^>]+>", "", str(self.html)))


def _emphasise(match: re.Match) -> str:
    return f"<strong>{match.group(0)}</strong>"


def ingredients(meal: MealService) -> list[Ingredient]:
    """What went into a cooked meal, heaviest first: the items the cook took out of the
    pantry for it (a substitute in its own name), from the ledger, less anything undone."""
    used: dict[int, Decimal] = defaultdict(Decimal)  # grams, or the base unit when not known
    unweighed: set[int] = set()
    rows = (
        StockMove.objects.filter(
            reference=meal.reference,
            kind=StockMove.Kind.COOKED,
            quantity__lt=0,
            reversed_by__isnull=True,
        )
        .values("lot__item_id")
        .annotate(g=Sum("weight_g"), q=Sum("quantity"))
        .order_by()
    )
    for row in rows:
        if row["g"] is None:
            unweighed.add(row["lot__item_id"])
        used[row["lot__item_id"]] += -(row["g"] if row["g"] is not None else row["q"])
    # An item of no known weight (pieces with none given) goes after those weighed.
    ordered = sorted(
        Item.objects.in_bulk(list(used)).values(),
        key=lambda item: (item.pk in unweighed, -used[item.pk], item.name.lower()),
    )
    return [
        Ingredient(item.name, tuple(codes_in(item.allergen_mask, ALLERGEN_BITS)))
        for item in ordered
    ]


def use_by(meal: MealService) -> date | None:
    if meal.leftover_lot is not None:
        return meal.leftover_lot.best_before
    cooked = meal.site.local(meal.cooked_at).date() if meal.cooked_at else meal.date
    storage = leftover_storage(meal.site)
    if storage is None:
        return cooked
    return cooked + timedelta(days=LEFTOVER_DEFAULT_DAYS[storage])


def storage_text(meal: MealService) -> str:
    storage = meal.leftover_lot.storage if meal.leftover_lot else leftover_storage(meal.site)
    measures = PantrySettings.for_site(meal.site).measures
    return str(STORAGE.get((storage, measures), NOT_KEPT))


def site_lines(meal: MealService) -> str:
    site = meal.site
    address = ", ".join(line.strip() for line in site.address.splitlines() if line.strip())
    return f"{site.name}, {address}" if address else site.name


# --- Fitting the text to the label ----------------------------------------------------


class LabelTooSmall(DomainError):
    pass


def font_size(sheet: Sheet, paragraphs: list[str]) -> float | None:
    """The largest size (pt, in quarter points) at which these paragraphs fit one label."""
    inner_w = (sheet.width - 2 * PADDING_MM[1]) * POINTS_PER_MM
    inner_h = (sheet.height - 2 * PADDING_MM[0]) * POINTS_PER_MM
    size = sheet.font_pt
    while size >= MIN_FONT_PT:
        per_line = max(1, math.floor(inner_w / (CHAR_WIDTH_EM * size)))
        lines = sum(math.ceil(len(p) / per_line) for p in paragraphs)
        if lines <= math.floor(inner_h / (LINE_HEIGHT_EM * size)):
            return size
        size -= 0.25
    return None


def _larger(sheet: Sheet) -> Sheet | None:
    bigger = [
        s
        for s in SHEETS.values()
        if s.page == sheet.page and s.width * s.height > sheet.width * sheet.height
    ]
    return min(bigger, key=lambda s: s.width * s.height) if bigger else None


# --- The sheet ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelOptions:
    count: int  # labels to print
    skip: int = 0  # labels already used at the start of a partly used sheet
    sheet: str = ""  # a sheet other than the site's, for this print only

    @classmethod
    def from_query(cls, params, meal: MealService) -> LabelOptions:
        choice = params.get("sheet", "")
        sheet = sheet_for(meal.site, choice)
        default = meal.leftover_servings or sheet.per_sheet
        return cls(
            count=_int(params.get("count"), min(default, MAX_LABELS), 1, MAX_LABELS),
            skip=_int(params.get("skip"), 0, 0, sheet.per_sheet - 1),
            sheet=sheet.key,
        )


def _int(raw, default: int, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def label_context(meal: MealService, options: LabelOptions) -> dict:
    site = meal.site
    sheet = sheet_for(site, options.sheet)
    listed = ingredients(meal)
    allergens = meal.allergen_labels
    context = {
        "meal": meal,
        "site": site,
        "sheet": sheet,
        "ingredients": format_html_join(", ", "{}", ((i.html,) for i in listed)),
        "allergens": allergens,
        "allergen_list": format_html_join(", ", "<strong>{}</strong>", ((a,) for a in allergens)),
        "dietary": meal.dietary_labels,
        "cooked_on": site.local(meal.cooked_at).date() if meal.cooked_at else None,
        "use_by": use_by(meal),
        "storage": storage_text(meal),
        "reheat": str(REHEAT),
        "made_by": site_lines(meal),
    }
    # The label's paragraphs as kitchen/pdf/labels.html writes them (the dates at
    # their longest), to find the size they fit at.
    paragraphs = [
        meal.title,
        _("Ingredients: %(ingredients)s") % {"ingredients": ", ".join(i.plain for i in listed)},
        # One with none says "No listed allergens" alone: measured on the generous side.
        _("Contains: %(allergens)s")
        % {"allergens": ", ".join(allergens) or _("No listed allergens")},
        _("Use by %(day)s") % {"day": f"{context['use_by']:%a %d %b %Y}"}
        + " · "
        + _("cooked %(day)s") % {"day": f"{meal.date:%a %d %b}"},
        ", ".join(context["dietary"]),
        context["storage"] + " " + context["reheat"],
        context["made_by"],
    ]
    size = font_size(sheet, paragraphs)
    if size is None:
        bigger = _larger(sheet)
        values = {"meal": meal.title, "size": _label_size(sheet)}
        if bigger:
            values["sheet"] = bigger.name
            message = _(
                "%(meal)s: its ingredients do not fit a label of %(size)s at the smallest "
                "size the law allows. Print it on %(sheet)s instead."
            )
        else:
            message = _(
                "%(meal)s: its ingredients do not fit a label of %(size)s at the smallest "
                "size the law allows. Shorten the meal's name."
            )
        raise LabelTooSmall(message % values)
    context["font_pt"] = f"{size:g}pt"
    return context


def _label_size(sheet: Sheet) -> str:
    """A label's size, from its sheet's name: "3 × 7, 63.5 × 38.1 mm" of "A4, 21
    labels (3 × 7, 63.5 × 38.1 mm)"; the whole name if it has no brackets."""
    name = str(sheet.name)
    return name.rpartition("(")[2].rstrip(")")


def labels_html(meal: MealService, options: LabelOptions) -> str:
    context = label_context(meal, options)
    sheet = context["sheet"]
    cells = [None] * options.skip + [meal] * options.count
    context["pages"] = [
        cells[i : i + sheet.per_sheet] for i in range(0, len(cells), sheet.per_sheet)
    ]
    return render_to_string("kitchen/pdf/labels.html", context)


def labels_pdf(meal: MealService, options: LabelOptions) -> bytes:
    from weasyprint import HTML

    # No base URL from the request: a PDF never fetches anything over the network.
    return HTML(string=labels_html(meal, options), base_url=str(settings.BASE_DIR)).write_pdf()

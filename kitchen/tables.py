"""django-tables2 tables for the kitchen's lists."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot.dates import day
from commonpot.models import Site
from commonpot.quickurls import quick_reverse
from commonpot.tables import QuickRowsTable
from kitchen.models import MealService, Recipe


def _badges(labels, css: str = "") -> str:
    return format_html_join(" ", '<span class="badge{}">{}</span>', ((css, x) for x in labels))


class RecipeTable(tables.Table):
    name = tables.Column(gettext_lazy("Recipe"), order_by=("name",))
    # Translators: a column of the recipes: which site wrote each.
    site = tables.Column(gettext_lazy("From"), accessor="site__name")
    yield_servings = tables.Column(
        gettext_lazy("Makes"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    allergens = tables.Column(gettext_lazy("Allergens"), accessor="pk", orderable=False)
    dietary = tables.Column(gettext_lazy("Suitable for"), accessor="dietary_mask", orderable=False)

    class Meta:
        model = Recipe
        fields = ()
        sequence = ("name", "site", "yield_servings", "allergens", "dietary")
        verbose_name = gettext_lazy("Recipes")
        empty_text = gettext_lazy("No recipes match.")
        template_name = "commonpot/_table.html"
        attrs = {"class": "table"}

    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        super().__init__(*args, **kwargs)

    def render_name(self, record: Recipe):
        url = quick_reverse("kitchen:recipe", self.site.slug, record.pk)
        retired = (
            format_html(' <span class="badge">{}</span>', _("retired"))
            if not record.is_active
            else ""
        )
        return format_html('<a href="{}">{}</a>{}', url, record.name, retired)

    def render_site(self, record: Recipe):
        return _("This site") if record.site_id == self.site.pk else record.site.name

    def render_yield_servings(self, value):
        return ngettext("%(count)s serving", "%(count)s servings", value) % {"count": value}

    def render_allergens(self, record: Recipe):
        return _badges(record.allergen_labels, " warn") or _("None listed")

    def render_dietary(self, record: Recipe):
        return _badges(record.dietary_labels) or "—"


class WeekTable(QuickRowsTable):
    """A site's meals for one week, with what is short and (when another app plugs
    in) their staffing. Its rows are written a row at a time (QuickRowsTable)."""

    day = tables.Column(gettext_lazy("Day"), accessor="date")
    kind = tables.Column(gettext_lazy("Meal"))
    dishes = tables.Column(gettext_lazy("Dishes"), accessor="pk")
    planned_servings = tables.Column(
        gettext_lazy("Servings"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    stock = tables.Column(gettext_lazy("Stock"), accessor="pk")
    staffing = tables.Column(gettext_lazy("Staffing"), accessor="pk")

    class Meta:
        model = MealService
        fields = ()
        sequence = ("day", "kind", "dishes", "planned_servings", "stock", "staffing")
        orderable = False
        verbose_name = gettext_lazy("Meals this week")
        empty_text = gettext_lazy("No meals planned this week.")
        template_name = QuickRowsTable.Meta.template_name
        attrs = {"class": "table"}
        row_attrs = {"class": lambda record, table: table.row_class(record)}

    def __init__(self, *args, site: Site, cells=None, **kwargs):
        self.site = site
        self.cells = cells
        super().__init__(*args, **kwargs)
        if cells is None:
            self.columns.hide("staffing")
        self._days: dict = {}

    def row_class(self, record: MealService) -> str:
        short = record.is_planned and record.stock.short
        return f"meal--{record.status} meal--short" if short else f"meal--{record.status}"

    def render_day(self, record: MealService):
        if record.date not in self._days:
            self._days[record.date] = day(record.date)
        return self._days[record.date]

    def render_kind(self, record: MealService):
        url = quick_reverse("kitchen:meal", self.site.slug, record.pk)
        name = f": {record.name}" if record.name else ""
        return format_html('<a href="{}">{}{}</a>', url, record.get_kind_display(), name)

    def render_dishes(self, record: MealService):
        return ", ".join(r.name for r in record.recipes.all())

    def render_planned_servings(self, record: MealService):
        if record.is_cooked:
            # Translators: servings of a cooked meal: "40 made, 36 fed".
            return _("%(made)s made, %(fed)s fed") % {
                "made": record.servings_made,
                "fed": record.servings_served,
            }
        return record.planned_servings

    def render_stock(self, record: MealService):
        if record.status == MealService.Status.CANCELLED:
            return format_html('<span class="badge">{}</span>', _("Cancelled"))
        if record.is_cooked:
            return format_html('<span class="badge ok">{}</span>', _("Cooked"))
        short = record.stock.short
        if short:
            names = ", ".join(n.item.name for n in short)
            # Translators: how many ingredients of a meal are short of stock: "2 short".
            count = ngettext("%(count)s short", "%(count)s short", len(short)) % {
                "count": len(short)
            }
            badge = format_html(
                '<span class="badge bad">{}</span> <span class="kitchen-short">{}</span>',
                count,
                names,
            )
        elif record.stock.all_held:
            badge = format_html('<span class="badge ok">{}</span>', _("All held"))
        else:
            badge = format_html('<span class="badge ok">{}</span>', _("In stock"))
        competing = record.stock.competing
        if not competing:
            return badge
        sentences = format_html_join("", "<li>{}</li>", ((c.sentence,) for c in competing))
        return format_html('{}<ul class="plain kitchen-competing">{}</ul>', badge, sentences)

    def render_staffing(self, record: MealService):
        return mark_safe(" ".join(self.cells.get(record.pk, [])))  # noqa: S308 - rendered templates

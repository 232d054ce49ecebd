"""The kitchen's part of the reports: meals cooked, servings made, people fed."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from commonpot.numbers import grouped
from commonpot.reports import Chart, Period, Section, Table
from kitchen.models import MealService


def figures(period: Period) -> dict:
    """Cooked meals dated inside the period (a meal's date is its site's own day)."""
    cooked = MealService.objects.cooked().filter(period.q_dates(date_field="date"))
    totals = cooked.aggregate(
        meals=Count("pk"),
        made=Sum("servings_made"),
        fed=Sum("servings_served"),
        kept=Sum("leftover_servings"),
    )
    by_meal = {
        str(MealService.Kind(row["kind"]).label): (row["meals"], row["fed"] or 0)
        for row in cooked.values("kind").annotate(meals=Count("pk"), fed=Sum("servings_served"))
    }
    by_site = [
        (row["site__name"], row["meals"], row["made"] or 0, row["fed"] or 0)
        for row in cooked.values("site__name")
        .annotate(meals=Count("pk"), made=Sum("servings_made"), fed=Sum("servings_served"))
        .order_by("site__name")
    ]
    return {
        "meals": totals["meals"],
        "made": totals["made"] or 0,
        "fed": totals["fed"] or 0,
        "kept": totals["kept"] or 0,
        "by_meal": by_meal,
        "by_site": by_site,
    }


def section(period: Period) -> Section | None:
    f = figures(period)
    if not f["meals"]:
        return None
    return Section(
        key="meals",
        title=_("Meals"),
        figures=[
            (_("Meals cooked"), grouped(f["meals"])),
            (_("Servings made"), grouped(f["made"])),
            (_("People fed"), grouped(f["fed"])),
            (_("Leftover servings kept"), grouped(f["kept"])),
        ],
        charts=[
            Chart(
                _("People fed by meal"),
                sorted(
                    ((k, float(fed)) for k, (_, fed) in f["by_meal"].items()), key=lambda b: -b[1]
                ),
            )
        ],
        tables=[
            Table(
                "meals-by-site",
                _("Meals by site"),
                [_("Site"), _("Meals cooked"), _("Servings made"), _("People fed")],
                [list(row) for row in f["by_site"]],
                numeric={1, 2, 3},
            )
        ],
    )

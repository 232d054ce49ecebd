"""The pantry's sections of a site's Settings page: what it can store, the
measures its pages use, the paper its receipts, count sheets, labels, manifests
and shift sheets print on; and how long past best-before each kind of food may
still be given out."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from commonpot.models import Site
from commonpot.services import save_settings_row
from pantry.models import BEST_BEFORE_DEFAULTS, Measures, PantrySettings

PANTRY_SETTINGS_FIELDS = [
    "has_dry_storage",
    "has_chilled_storage",
    "has_frozen_storage",
    "paper_size",
    "label_sheet",
    "measures",
]
# The days past best-before allowed, by kind of food: a section of its own.
DATE_SETTINGS_FIELDS = [f"bb_{key}" for key in BEST_BEFORE_DEFAULTS]


def measures_of(sites: list[Site] | QuerySet[Site]) -> dict[int, str]:
    """The measures each site chose (commonpot.measures reads them through the registry).

    One site is read through its own instance, which keeps the row for the page's
    other uses of it (storage areas, paper size); several in one query. Of a
    queryset, the sites with a row only, without loading the sites.
    """
    if isinstance(sites, QuerySet):
        return dict(
            PantrySettings.objects.filter(site__in=sites.values("pk")).values_list(
                "site_id", "measures"
            )
        )
    if len(sites) == 1:
        return {sites[0].pk: PantrySettings.for_site(sites[0]).measures}
    chosen = dict(
        PantrySettings.objects.filter(site__in=[s.pk for s in sites]).values_list(
            "site_id", "measures"
        )
    )
    return {s.pk: chosen.get(s.pk, Measures.METRIC) for s in sites}


def save_pantry_settings(site: Site, **fields: Any) -> PantrySettings:
    return save_settings_row(PantrySettings, site, allowed=PANTRY_SETTINGS_FIELDS, **fields)


def save_date_settings(site: Site, **fields: Any) -> PantrySettings:
    return save_settings_row(PantrySettings, site, allowed=DATE_SETTINGS_FIELDS, **fields)

"""The pantry's section of a site's Settings page: what it can store, and the
paper its receipts, count sheets, labels, manifests and shift sheets print on."""

from __future__ import annotations

from typing import Any

from commonpot.models import Site
from commonpot.services import save_settings_row
from pantry.models import PantrySettings

PANTRY_SETTINGS_FIELDS = [
    "has_dry_storage",
    "has_chilled_storage",
    "has_frozen_storage",
    "paper_size",
]


def save_pantry_settings(site: Site, **fields: Any) -> PantrySettings:
    return save_settings_row(PantrySettings, site, allowed=PANTRY_SETTINGS_FIELDS, **fields)

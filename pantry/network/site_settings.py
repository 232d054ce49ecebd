"""The network's section of a site's Settings page: how far away an offer may be
to be suggested for the site's needs."""

from __future__ import annotations

from typing import Any

from commonpot.models import Site
from commonpot.services import save_settings_row
from pantry.network.models import NetworkSettings

NETWORK_SETTINGS_FIELDS = ["match_within_km"]


def save_network_settings(site: Site, **fields: Any) -> NetworkSettings:
    return save_settings_row(NetworkSettings, site, allowed=NETWORK_SETTINGS_FIELDS, **fields)

"""The maps: where their background tiles come from (and the one page-level
exception the Content-Security-Policy makes for them), and how many sites one
map answer carries."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from commonpot.params import BadParam

# One map answer carries at most this many sites; a map of more asks by the area
# in view (`?bbox=`), as it is panned and zoomed.
MAP_SITES_MAX = 1000


def tiles_origin() -> str | None:
    """`scheme://host[:port]` of MAP_TILES_URL, or None when tiles are served here."""
    parts = urlsplit(settings.MAP_TILES_URL.replace("{", "").replace("}", ""))
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allow_tiles(response: HttpResponse) -> HttpResponse:
    """Let a page with a map load its tiles; every other page loads images from here only."""
    origin = tiles_origin()
    if origin is not None:
        response._csp_update = {"img-src": [origin]}  # read by django-csp's middleware
    return response


def sites_in_view(sites: QuerySet, params) -> tuple[list, dict]:
    """The sites of `sites` to put on a map: those in `?bbox=west,south,east,north`
    (degrees) when given, at most MAP_SITES_MAX of them, and what the answer says
    of itself (`total`, `truncated`, and the `bbox` used). Raises BadParam for a
    box that is not four numbers inside the globe, or whose south is north of its
    north. A box across the antimeridian (west > east) is read as such."""
    text = (params.get("bbox") or "").strip()
    box = None
    if text:
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError:
            raise BadParam(
                _("bbox is west,south,east,north in degrees, e.g. bbox=-0.5,51.3,0.3,51.7.")
            ) from None
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            raise BadParam(
                _(
                    "bbox is west,south,east,north in degrees: longitudes within ±180, "
                    "latitudes within ±90, south not north of north."
                )
            )
        box = [west, south, east, north]
        sites = sites.filter(latitude__gte=south, latitude__lte=north)
        if west <= east:
            sites = sites.filter(longitude__gte=west, longitude__lte=east)
        else:
            sites = sites.filter(longitude__gte=west) | sites.filter(longitude__lte=east)
    found = list(sites.order_by("pk")[: MAP_SITES_MAX + 1])
    truncated = len(found) > MAP_SITES_MAX
    meta = {"truncated": truncated, "limit": MAP_SITES_MAX}
    if box is not None:
        meta["bbox"] = box
    return found[:MAP_SITES_MAX], meta

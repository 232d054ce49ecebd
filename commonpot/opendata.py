"""The network as open data: HSDS 3.0 services and Murmurations profiles.

Only public, active sites appear, and only what the site itself publishes:
never a volunteer, never an exact location the site asked to keep private.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commonpot.models import Site

HSDS_VERSION = "3.0"
MURMURATIONS_SCHEMA = "organizations_schema-v1.0.0"

SERVICE_NAMES = {
    Site.Kind.COMMUNITY_KITCHEN: "Community meals",
    Site.Kind.CAMP_KITCHEN: "Camp kitchen meals",
    Site.Kind.PANTRY: "Food pantry",
    Site.Kind.FOOD_BANK: "Food bank",
}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _namespace() -> uuid.UUID:
    # Ids are stable for an install and differ between installs.
    return uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)


def public_id(site: Site, what: str) -> str:
    if what == "service":
        return str(site.service_id)
    return str(uuid.uuid5(_namespace(), f"site:{site.pk}:{what}"))


def site_for_service_id(service_id: str) -> Site | None:
    """The public site whose HSDS service has this id: one indexed query."""
    try:
        key = uuid.UUID(service_id)
    except ValueError:
        return None
    return Site.objects.public().filter(service_id=key).first()


def _utc_offset(site: Site, at: datetime | None = None) -> str:
    offset = site.local(at or timezone.now()).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _schedule_description(opening) -> str:
    """What the opening is, and for one past midnight when it closes: HSDS has no
    field for it, and a closes_at earlier than opens_at reads as a mistake unless
    it is said."""
    what = opening.label or "Open"
    if opening.closes == time(0):
        return f"{what} (closes at midnight)"
    if opening.overnight:
        return f"{what} (closes {opening.closes:%H:%M} the next morning)"
    return what


def _schedules(site: Site, service_id: str) -> list[dict]:
    offset = _utc_offset(site)
    hours = (site.local(timezone.now()).utcoffset() or timedelta()).total_seconds() / 3600
    return [
        {
            "id": public_id(site, f"schedule:{i}"),
            "service_id": service_id,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": opening.byday,
            "opens_at": f"{opening.opens:%H:%M}{offset}",
            "closes_at": f"{opening.closes:%H:%M}{offset}",
            "timezone": hours,
            "description": _schedule_description(opening),
            "attending_type": "in person",
        }
        for i, opening in enumerate(site.openings)
    ]


def _phones(site: Site, **owner: str) -> list[dict]:
    if not site.contact_phone:
        return []
    return [
        {
            "id": public_id(site, f"phone:{'-'.join(owner)}"),
            "number": site.contact_phone,
            "type": "voice",
            **owner,
        }
    ]


def _location(site: Site) -> dict:
    location_id = public_id(site, "location")
    location: dict = {
        "id": location_id,
        "location_type": "physical",
        "name": site.name,
        "organization_id": public_id(site, "organization"),
        "url": absolute(site.get_absolute_url()),
        "addresses": [],
        "phones": [],
        "schedules": [],
        "languages": [],
        "contacts": [],
        "accessibility": [],
        "attributes": [],
    }
    if site.show_exact_location:
        if site.latitude is not None:
            location["latitude"] = float(site.latitude)
            location["longitude"] = float(site.longitude)
        if site.address:
            lines = [line.strip() for line in site.address.splitlines() if line.strip()]
            location["addresses"] = [
                {
                    "id": public_id(site, "address"),
                    "location_id": location_id,
                    "address_1": lines[0],
                    "address_2": ", ".join(lines[1:]),
                    "city": site.city,
                    "state_province": "",
                    "postal_code": site.postal_code,
                    "country": site.country,
                    "address_type": "physical",
                }
            ]
    else:
        location["description"] = (
            f"In {site.city or 'the area'}; the exact place is shared on contact."
        )
    return location


def hsds_organization(site: Site) -> dict:
    org = {
        "id": public_id(site, "organization"),
        "name": site.name,
        "description": site.description or f"{english_kind(site)} in {site.city}".strip(),
        "uri": absolute(site.get_absolute_url()),
        "phones": _phones(site, organization_id=public_id(site, "organization")),
        "contacts": [],
        "locations": [],
        "programs": [],
        "funding": [],
        "organization_identifiers": [],
        "attributes": [],
    }
    if site.website:
        org["website"] = site.website
    if site.contact_email:
        org["email"] = site.contact_email
    return org


def hsds_service_summary(site: Site) -> dict:
    """An item of the /services list: one-to-one fields only (service_list.json)."""
    service = {
        "id": public_id(site, "service"),
        "organization_id": public_id(site, "organization"),
        "name": f"{SERVICE_NAMES[site.kind]} at {site.name}",
        "description": site.description,
        "url": absolute(site.get_absolute_url()),
        "status": "active" if site.is_active else "inactive",
        "fees_description": "Free",
        "eligibility_description": "Open to everyone.",
    }
    if site.contact_email:
        service["email"] = site.contact_email
    return service


def hsds_service(site: Site) -> dict:
    """One service with its organization, location and schedules nested (service.json)."""
    service = hsds_service_summary(site)
    service_id = service["id"]
    location = _location(site)
    service.update(
        {
            "organization": hsds_organization(site),
            "phones": _phones(site, service_id=service_id),
            "schedules": _schedules(site, service_id),
            "service_areas": [],
            "service_at_locations": [
                {
                    "id": public_id(site, "service_at_location"),
                    "service_id": service_id,
                    "location_id": location["id"],
                    "location": location,
                    "schedules": [],
                    "phones": [],
                    "contacts": [],
                    "attributes": [],
                }
            ],
            "languages": [],
            "funding": [],
            "cost_options": [],
            "contacts": [],
            "capacities": [],
            "required_documents": [],
            "attributes": [],
        }
    )
    return service


def hsds_root() -> dict:
    return {
        "version": HSDS_VERSION,
        "profile": "https://openreferral.org/",
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    }


def _coarse(value: Decimal) -> float:
    # Two decimal places is about a kilometre: enough to find the area on a map.
    return round(float(value), 2)


def murmurations_geolocation(site: Site) -> dict | None:
    """Where a Murmurations profile may put the site on a map: to about a kilometre,
    and only when the site shows its place (camps often must not)."""
    if site.show_exact_location and site.latitude is not None:
        return {"lat": _coarse(site.latitude), "lon": _coarse(site.longitude)}
    return None


def murmurations_profile(site: Site) -> dict:
    profile: dict = {
        "linked_schemas": [MURMURATIONS_SCHEMA],
        "name": site.name,
        "primary_url": site.website or absolute(site.get_absolute_url()),
        "tags": sorted(
            {"food", "food security", "mutual aid", english_kind(site).lower(), "commonpot"}
        ),
        "urls": [{"name": "Commonpot page", "url": absolute(site.get_absolute_url())}],
    }
    if site.description:
        profile["description"] = site.description
    if site.country:
        profile["country_iso_3166"] = site.country
    if geolocation := murmurations_geolocation(site):
        profile["geolocation"] = geolocation
    if site.show_exact_location and site.address:
        parts = [site.address.replace("\n", ", "), site.city, site.postal_code, site.country]
        profile["full_address"] = ", ".join(p for p in parts if p)
    return profile


def murmurations_profile_url(site: Site) -> str:
    return absolute(reverse("murmurations_profile", args=[site.slug]))


def submit_to_murmurations_index(site: Site, *, timeout: float = 10) -> tuple[bool, str]:
    """Ask the Murmurations index to (re)read this site's profile.

    Returns (accepted, what the index said). The index fetches the profile
    from our public URL itself, so the site must be reachable from it.
    """
    import json
    import urllib.error
    import urllib.request

    if not (site.is_public and site.is_active):
        return False, "Only public sites are shared with the Murmurations index."
    endpoint = f"{settings.MURMURATIONS_INDEX_URL.rstrip('/')}/nodes"
    body = json.dumps({"profile_url": murmurations_profile_url(site)}).encode()
    request = urllib.request.Request(  # noqa: S310 — the URL is from settings, http(s) only
        endpoint, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return True, f"{response.status}: {response.read(500).decode(errors='replace')}"
    except urllib.error.HTTPError as e:
        return False, f"The index refused it ({e.code}): {e.read(500).decode(errors='replace')}"
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        return False, f"The index could not be reached: {reason}"


# How far ahead the hours feed repeats. Each repeat ends (UNTIL) inside the
# feed's time-zone block, which must cover every repeat (RFC 5545); calendar
# apps fetch the feed again long before, and each fetch moves the end along.
HOURS_REPEAT_DAYS = 3 * 366


def hours_calendar(site: Site) -> bytes:
    """The site's opening hours and meal times as weekly repeating events."""
    from icalendar import Calendar, Event

    from commonpot.ical import add_time_zones

    cal = Calendar()
    cal.add("prodid", "-//Commonpot//Opening hours//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("%(site)s: opening hours and meals") % {"site": site.name})
    cal.add("x-wr-timezone", site.time_zone)
    today = site.today()
    # The end of the last day's repeats, in UTC as RFC 5545 asks when DTSTART has a zone.
    until = datetime.combine(
        today + timedelta(days=HOURS_REPEAT_DAYS + 1), time.min, tzinfo=site.tz
    ).astimezone(UTC)
    now = timezone.now()
    for i, opening in enumerate(site.openings):
        # The opening under way (one that began last night counts) or the next to
        # start; an overnight one ends on the next day.
        start, end = opening.current_or_next(now, site.tz)
        event = Event()
        event.add("uid", f"hours-{public_id(site, f'opening:{i}')}@commonpot")
        event.add("dtstamp", timezone.now())
        if opening.label:
            summary = _("%(what)s at %(site)s") % {"what": opening.label, "site": site.name}
        else:
            summary = _("Open at %(site)s") % {"site": site.name}
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("rrule", {"freq": "weekly", "byday": opening.byday.split(","), "until": until})
        if site.show_exact_location and site.address:
            event.add("location", ", ".join(p for p in [site.name, site.address, site.city] if p))
        else:
            event.add("location", ", ".join(p for p in [site.name, site.city] if p))
        event.add("url", absolute(site.get_absolute_url()))
        cal.add_component(event)
    add_time_zones(cal)
    return cal.to_ical()


def site_map_feature(site: Site, *, kind: str, url: str, hours: list[str]) -> dict:
    """A site as a GeoJSON point, in the shape static/js/site-map.js draws."""
    return {
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [float(site.longitude), float(site.latitude)],
        },
        "properties": {"name": site.name, "kind": kind, "url": url, "hours": hours},
    }


def site_map(features: list[dict], meta: dict | None = None) -> dict:
    """A GeoJSON FeatureCollection; `meta` (from maps.sites_in_view) says whether
    it holds every site asked for (`truncated`: ask again by `bbox`)."""
    return {"type": "FeatureCollection", **(meta or {}), "features": features}


def english_kind(site: Site) -> str:
    """The site's kind as open data publishes it: in English, whoever asks."""
    with translation.override("en"):
        return str(site.get_kind_display())

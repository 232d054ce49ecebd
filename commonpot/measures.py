"""Which measures the work in hand writes quantities in: metric or US customary.

Each site chooses metric (kg, g, L, ml) or US customary (lb, oz, gal, fl oz) on its
Settings page (the pantry keeps the choice, PantrySettings.measures); stock is kept
exactly in grams, millilitres and pieces whichever it is. Like Django's time zones,
the choice is *activated* for the work in hand rather than handed to each of the
hundreds of places that write a quantity:

- a site's pages activate their site's measures where they find the site
  (commonpot.permissions.site_for_lead, and the few views that find a site
  another way), as they activate its time zone;
- a page about many sites (the network board, the coordinator's dashboard, the
  network's report) reads in the viewer's own measures: US customary when every
  site they lead chooses it (for a coordinator who leads none, every site of the
  network), else metric — `viewer_measures`, which the middleware activates at
  the start of each request;
- a sheet, report or email made for one site outside its pages (a background
  job) runs inside `override(site_measures(site))`.

Code that must write one system whatever is active passes `measures=` to the
function that writes (pantry.units.display and its siblings). A page that writes
no quantity never looks the choice up: activation may take a function, asked the
first time a quantity is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from asgiref.local import Local
from django.db.models import QuerySet

if TYPE_CHECKING:
    from commonpot.models import Site, User

METRIC = "metric"
US = "us"
SYSTEMS = (METRIC, US)

# As django.utils.timezone: an asgiref Local is a context variable under async
# and a thread-local under WSGI, so one request's choice never shows in another's.
_active = Local()

Choice = str | Callable[[], str]


def _checked(system: str) -> str:
    if system not in SYSTEMS:
        raise ValueError(f"Measures are {' or '.join(SYSTEMS)}, not {system!r}.")
    return system


def activate(system: Choice) -> None:
    """Write quantities in `system` ("metric" or "us") from now on in this context.

    A function is called the first time a quantity is written, and its answer kept.
    """
    _active.value = system if callable(system) else _checked(system)


def deactivate() -> None:
    if hasattr(_active, "value"):
        del _active.value


def get_measures() -> str:
    """The measures active now: metric unless something activated another."""
    value = getattr(_active, "value", None)
    if value is None:
        return METRIC
    if callable(value):
        value = _checked(value())
        _active.value = value
    return value


def is_us() -> bool:
    return get_measures() == US


@contextmanager
def override(system: Choice | None) -> Iterator[None]:
    """Write quantities in `system` inside the block (None: what was active stays)."""
    previous = getattr(_active, "value", None)
    if system is not None:
        activate(system)
    try:
        yield
    finally:
        if previous is None:
            deactivate()
        else:
            _active.value = previous


def site_measures(site: Site) -> str:
    """The measures `site` chose (metric when no app keeps a choice)."""
    return sites_measures([site]).get(site.pk, METRIC)


def sites_measures(sites: list[Site] | QuerySet[Site]) -> dict[int, str]:
    """Each site's measures by id, read by the app that keeps them (one query).

    Given a queryset (every site of a network of hundreds), only the sites whose
    choice is kept are in the answer, and no site is loaded: the others are metric.
    """
    from commonpot.registry import registry

    if isinstance(sites, QuerySet):
        return {} if registry.measures_reader is None else registry.measures_reader(sites)
    if registry.measures_reader is None or not sites:
        return {s.pk: METRIC for s in sites}
    return registry.measures_reader(sites)


def activate_for_site(site: Site) -> None:
    """Show this site's pages in its measures (looked up when first needed)."""
    activate(lambda: site_measures(site))


def override_for_site(site: Site | None):
    """`override` with the measures of `site` (looked up when first needed); None:
    what was active stays."""
    return override(None if site is None else (lambda: site_measures(site)))


def viewer_measures(user: User) -> str:
    """The measures of a page about many sites: the viewer's own.

    US customary when every site the person leads chooses it, or, for a
    coordinator who leads none, when every site of the network does; otherwise
    (mixed, none, or nobody signed in) metric, the measures of the reports
    funders compare.
    """
    from commonpot.models import Site
    from commonpot.permissions import is_coordinator, lead_site_ids

    if not getattr(user, "is_authenticated", False):
        return METRIC
    ids = lead_site_ids(user)
    if ids:
        sites = Site.objects.filter(pk__in=ids)
    elif is_coordinator(user):
        sites = Site.objects.filter(is_active=True)
    else:
        return METRIC
    us = sum(1 for chosen in sites_measures(sites).values() if chosen == US)
    # Counted only when some chose US: most networks are metric throughout.
    return US if us and us == (len(ids) if ids else sites.count()) else METRIC

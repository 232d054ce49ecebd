"""The one answer to "may this user do this at this site".

Every view asks here, never in a template or a partial. Roles:

- coordinator: every site in the network;
- lead: the sites where they hold a lead membership;
- volunteer: their own account and sign-ups, and public pages;
- anonymous: public pages only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot import measures
from commonpot.models import Membership, Site
from commonpot.registry import registry

if TYPE_CHECKING:
    from commonpot.models import User


def is_coordinator(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)


def lead_site_ids(user: User) -> set[int]:
    """Ids of the sites this person leads (cached on the user for the request)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_lead_site_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, role=Membership.Role.LEAD).values_list(
                "site_id", flat=True
            )
        )
        user._lead_site_ids = cached
    return cached


def is_lead(user: User) -> bool:
    return bool(lead_site_ids(user))


def can_manage_site(user: User, site: Site) -> bool:
    """Leads of this site and coordinators: stock, shifts, meals, rosters."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_coordinator(user) or site.pk in lead_site_ids(user)


def can_view_site(user: User, site: Site) -> bool:
    """Public sites are seen by all; private ones by their people and coordinators."""
    if site.is_public and site.is_active:
        return True
    if not user.is_authenticated:
        return False
    return is_coordinator(user) or site.memberships.filter(user=user).exists()


def can_work_at_site(user: User, site: Site) -> bool:
    """The site's own people (leads and volunteers) and coordinators: the daily checks
    anyone on shift does, such as reading the fridge's temperature."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_coordinator(user) or site.pk in lead_site_ids(user):
        return True
    return site.memberships.filter(user=user).exists()


def can_see_contact(viewer: User, person: User, *, signed_up_site_ids: set[int]) -> bool:
    """May `viewer` see `person`'s phone and email?

    Only the person, coordinators, and leads of a site where the person has
    signed up (`signed_up_site_ids`, given by the caller who knows which).
    """
    if not viewer.is_authenticated:
        return False
    if viewer.pk == person.pk or is_coordinator(viewer):
        return True
    return bool(lead_site_ids(viewer) & signed_up_site_ids)


def site_for_lead(request: HttpRequest, slug: str) -> Site:
    """The site named in the URL, if the user may manage it: else 404 or 403.

    A site the user may not even see is a 404, so that private sites are not
    revealed; a visible site they do not lead is a 403.
    """
    site = get_object_or_404(Site.objects.select_related(*registry.site_rows), slug=slug)
    if can_manage_site(request.user, site):
        # The page shows times on the site's clock and quantities in its measures
        # (see commonpot.middleware).
        timezone.activate(site.tz)
        measures.activate_for_site(site)
        return site
    if can_view_site(request.user, site):
        raise PermissionDenied(_("Only this site's leads and coordinators can do this."))
    raise Http404(_("No such site."))


def site_for_member(request: HttpRequest, slug: str) -> Site:
    """The site named in the URL, if the user works there (can_work_at_site): else
    404 for a site they may not see, 403 for one they may."""
    site = get_object_or_404(Site.objects.select_related(*registry.site_rows), slug=slug)
    if can_work_at_site(request.user, site):
        timezone.activate(site.tz)
        measures.activate_for_site(site)
        return site
    if can_view_site(request.user, site):
        raise PermissionDenied(_("Only this site's people and coordinators can do this."))
    raise Http404(_("No such site."))


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """As lead_required, for the site's volunteers too (can_work_at_site)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        site = site_for_member(request, slug)
        return view(request, site, *args, **kwargs)

    return wrapper


def lead_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views under /sites/<slug>/...: log in, then lead of that site or coordinator.

    The view receives the Site instead of the slug.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        site = site_for_lead(request, slug)
        return view(request, site, *args, **kwargs)

    return wrapper


def coordinator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_coordinator(request.user):
            raise PermissionDenied(_("Only network coordinators can do this."))
        return view(request, *args, **kwargs)

    return wrapper

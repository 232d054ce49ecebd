"""Who may see and do what in the network (built on commonpot.permissions).

The board, offers, needs and the transfer list are for the people who move
food: site leads and coordinators. A transfer itself is seen by the leads of
its two sites and by coordinators; each step is for one side only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from commonpot.permissions import can_manage_site, is_coordinator, is_lead
from pantry.network.models import Transfer


def in_network(user) -> bool:
    return is_coordinator(user) or is_lead(user)


def network_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in, then be a lead of some site or a coordinator."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not in_network(request.user):
            raise PermissionDenied(_("The network's surplus and transfers are for site leads."))
        return view(request, *args, **kwargs)

    return wrapper


def transfer_for(request: HttpRequest, pk: int, side: str | None = None) -> Transfer:
    """The transfer, if this person is on one of its sides (or the side named): else 403."""
    transfer = get_object_or_404(
        Transfer.objects.select_related("source", "destination", "item", "offer", "need"), pk=pk
    )
    user = request.user
    sides = {
        "source": can_manage_site(user, transfer.source),
        "destination": can_manage_site(user, transfer.destination),
    }
    if side in (None, "either"):
        if not any(sides.values()):
            raise PermissionDenied(
                _("Only the two sites' leads and coordinators can see or do this.")
            )
    elif not sides[side]:
        site = transfer.source if side == "source" else transfer.destination
        raise PermissionDenied(
            _("Only leads of %(site)s and coordinators can do this.") % {"site": site.name}
        )
    return transfer

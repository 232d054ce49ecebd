"""The lead's home: transfers with partner networks waiting for the site to act."""

from __future__ import annotations

from django.db.models import Q

from pantry.federation.models import PartnerTransfer
from pantry.units import display


def lead_panel(request, site):
    if site is None:
        return None
    waiting = list(
        PartnerTransfer.objects.filter(
            Q(direction=PartnerTransfer.Direction.OUT, status=PartnerTransfer.Status.ACCEPTED)
            | Q(direction=PartnerTransfer.Direction.IN, status=PartnerTransfer.Status.DISPATCHED),
            site=site,
        )
        .select_related("partner", "item")
        .order_by("created_at")[:20]
    )
    if not waiting:
        return None
    for t in waiting:
        t.amount = display(t.quantity, t.item_like())
    return "federation/panels/lead.html", {"site": site, "waiting": waiting}

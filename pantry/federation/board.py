"""Partner networks' offers and needs on the network board."""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.utils import timezone

from commonpot.models import Site
from commonpot.permissions import is_coordinator, lead_site_ids
from pantry.federation.models import Partner, PartnerNeed, PartnerOffer
from pantry.network.forms import CLAIM_FOR_ON_CARD
from pantry.network.matches import distance_label, haversine_km
from pantry.units import display

SHOWN = 30  # the soonest closing; a partner's own board has the rest


def _km(origin: Site | None, row) -> float | None:
    if origin is None or origin.latitude is None or row.latitude is None:
        return None
    return haversine_km(
        float(origin.latitude),
        float(origin.longitude),
        float(row.latitude),
        float(row.longitude),
    )


def _taking_part(user) -> dict[int, list[Site]]:
    """For each active partner, the sites this person may claim its offers for."""
    through = Partner.sites.through.objects.filter(partner__status=Partner.Status.ACTIVE)
    if not is_coordinator(user):
        through = through.filter(site_id__in=lead_site_ids(user))
    sites: dict[int, list[Site]] = defaultdict(list)
    for link in through.select_related("site").order_by("site__name"):
        sites[link.partner_id].append(link.site)
    return sites


def partner_cards(user, show: str, origin: Site | None, category: str = "") -> list:
    """The open offers (or needs) of partner networks, soonest closing first, each
    with its distance from `origin` (when both places are known) and, for offers,
    the sites this person can claim it for."""
    model = PartnerOffer if show == "offers" else PartnerNeed
    rows = model.objects.open(timezone.now()).select_related("partner")
    if category:
        rows = rows.filter(category=category)
    rows = list(rows.order_by("closes_at", "pk")[:SHOWN])
    claimers = _taking_part(user) if show == "offers" and rows else {}
    for row in rows:
        row.distance = _km(origin, row)
        row.distance_label = distance_label(row.distance) if origin else ""
        row.amount = display(row.quantity, row.item_like())
        if show == "offers":
            sites = claimers.get(row.partner_id, [])
            row.claim_for = sites if len(sites) <= CLAIM_FOR_ON_CARD else []
            row.claim_on_page = len(sites) > CLAIM_FOR_ON_CARD
            row.claim_token = uuid.uuid4()
    return rows

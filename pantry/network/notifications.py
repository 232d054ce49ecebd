"""Emails the network sends: a new offer fits your need; someone claimed your offer.

Each is decided once under a unique outbox key (commonpot.mail.queue_email), so
a task that runs twice sends nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot import measures
from commonpot.mail import queue_email
from commonpot.models import Membership, Site, User
from commonpot.permissions import can_manage_site
from pantry.network.matches import needs_for_offer
from pantry.network.models import Need, Offer, Transfer
from pantry.network.progress import attach_on_the_way

# What the outbox calls each kind (registered in apps.py).
MESSAGE_KINDS = {
    "network_match": gettext_lazy("Offer that fits a need"),
    "network_claim": gettext_lazy("Offer claimed"),
}


def _lead_to_tell(site: Site, preferred: User | None) -> User | str | None:
    """Who hears about a site's business: the person who posted it while they still
    manage the site, else the site's first lead, else the site's own address."""
    if preferred is not None and preferred.is_active and can_manage_site(preferred, site):
        return preferred
    lead = (
        Membership.objects.filter(site=site, role=Membership.Role.LEAD, user__is_active=True)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if lead is not None:
        return lead.user
    return site.contact_email or None


def notify_offer_matches(offer_id: int) -> int:
    """Tell the leads of every open need this offer fits (in part, within the need's
    distance limit); return how many were decided."""
    offer = Offer.objects.select_related("site", "item").filter(pk=offer_id).first()
    if offer is None or not offer.is_open():
        return 0
    needs = list(
        Need.objects.open()
        .exclude(site=offer.site)
        .filter(category=offer.item.category)
        .with_limits()
        .select_related("posted_by")
    )
    attach_on_the_way(needs)
    told = 0
    # Within each need's distance limit, even when the offer covers only part of it.
    for found in needs_for_offer(offer, needs):
        need = found.need
        to = _lead_to_tell(need.site, need.posted_by)
        if to is None:
            continue
        context = {
            "offer": offer,
            "need": need,
            "match": found,
            "distance": found.distance_label,
            "url": settings.SITE_URL + offer.get_absolute_url(),
        }
        # Written in the measures of the site that reads it.
        with measures.override(measures.site_measures(need.site)):
            _message, created = queue_email(
                key=f"match:offer:{offer.pk}:need:{need.pk}",
                kind="network_match",
                to=to,
                subject=_("%(site)s offers %(amount)s of %(item)s")
                % {
                    "site": offer.site.name,
                    "amount": offer.remaining_display,
                    "item": offer.item.name,
                },
                text=render_to_string("network/email/match.txt", context),
                site=need.site,
            )
        told += created
    return told


def notify_claim(transfer_id: int) -> bool:
    """Tell the source site that a site claimed its offer and waits for an answer."""
    transfer = (
        Transfer.objects.select_related("source", "destination", "item", "offer__posted_by")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None or transfer.offer is None:
        return False
    to = _lead_to_tell(transfer.source, transfer.offer.posted_by)
    if to is None:
        return False
    with measures.override(measures.site_measures(transfer.source)):
        _message, created = queue_email(
            key=f"claim:transfer:{transfer.pk}",
            kind="network_claim",
            to=to,
            subject=_("%(site)s claimed %(amount)s of %(item)s")
            % {
                "site": transfer.destination.name,
                "amount": transfer.quantity_display,
                "item": transfer.item.name,
            },
            text=render_to_string(
                "network/email/claim.txt",
                {"transfer": transfer, "url": settings.SITE_URL + transfer.get_absolute_url()},
            ),
            site=transfer.source,
        )
    return created

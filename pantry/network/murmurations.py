"""Shared offers and needs as Murmurations "Offers & Wants" profiles (v0.1.0).

Only an open offer or need that its site shares with partner networks, at a site
listed publicly, has a profile (`shared_offers`, `shared_needs`). A profile speaks
for the site, in English whoever asks, as the rest of the open data does: never
who posted it, who gave the food, nor a site's exact place when it keeps it private.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, translation

from commonpot import measures, opendata
from commonpot.models import Site
from pantry.network.models import Need, Offer
from pantry.units import display, display_weight

SCHEMA = "offers_wants_schema-v0.1.0"


def shared_offers():
    """The offers that have a public profile now."""
    return Offer.objects.open().filter(share_with_partners=True, site__in=Site.objects.public())


def shared_needs():
    return Need.objects.open().filter(share_with_partners=True, site__in=Site.objects.public())


def _when(site: Site, moment: datetime) -> str:
    return dateformat.format(site.local(moment), "j F Y, H:i")


def _place(site: Site) -> str:
    return f"{site.name} in {site.city}" if site.city else site.name


def _profile(site: Site, *, exchange_type: str, title: str, description: str, tags: set[str]):
    site_page = opendata.absolute(site.get_absolute_url())
    contact: dict = {"contact_form": site_page}
    if site.contact_email:
        contact["email"] = site.contact_email
    profile: dict = {
        "linked_schemas": [SCHEMA],
        "exchange_type": exchange_type,
        "item_type": "good",
        "transaction_type": ["receive-donate"],
        "tags": sorted({"food", "food security", "mutual aid", "commonpot", *tags}),
        "title": title,
        "description": description,
        "details_url": site_page,
        "geographic_scope": "local",
        "contact_details": contact,
    }
    if geolocation := opendata.murmurations_geolocation(site):
        profile["geolocation"] = geolocation
    return profile


def offer_profile(offer: Offer) -> dict:
    site = offer.site
    system = measures.site_measures(site)
    with translation.override("en"):
        amount = display(offer.remaining, offer.item, system)
        sentences = [
            f"Surplus food from {_place(site)}, free for a community food project to collect.",
            f"Pick up between {_when(site, offer.pickup_from)} and "
            f"{_when(site, offer.pickup_until)} ({site.time_zone} time).",
        ]
        food = []
        if offer.best_before is not None:
            best_before = dateformat.format(offer.best_before, "j F Y")
            food.append(f"{offer.get_date_kind_display()} {best_before}")
        if offer.cold_chain:
            food.append(f"keep {offer.get_cold_chain_display().lower()} on the way")
        if food:
            said = "; ".join(food)
            sentences.append(f"{said[0].upper()}{said[1:]}.")
        return {
            **_profile(
                site,
                exchange_type="offer",
                title=f"{amount} of {offer.item.name}",
                description=" ".join(sentences),
                tags={"surplus food", str(offer.item.get_category_display()).lower()},
            ),
            "expires_at": int(offer.closes_at.timestamp()),
        }


def need_profile(need: Need) -> dict:
    site = need.site
    system = measures.site_measures(site)
    with translation.override("en"):
        if need.item_id:
            amount = display(need.outstanding, need.item, system)
        else:
            amount = display_weight(need.outstanding, system)
        needed_by = dateformat.format(need.needed_by, "j F Y")
        return {
            **_profile(
                site,
                exchange_type="want",
                title=f"{amount} of {need.what}",
                description=(
                    f"{_place(site)} needs {amount} of {need.what} by {needed_by}, "
                    "given by another food project or a donor."
                ),
                tags={"food donations", str(need.get_category_display()).lower()},
            ),
            "expires_at": int(need.closes_at.timestamp()),
        }

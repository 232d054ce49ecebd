"""Needs: a site asks the network for an item or a category of food."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from commonpot.numbers import grouped
from pantry.models import Item
from pantry.network.models import MAX_MATCH_KM, Need, end_of_day
from pantry.network.services.common import (
    grams,
    positive,
    require_manager,
)
from pantry.units import (
    to_base,
)

if TYPE_CHECKING:
    from commonpot.models import User


@transaction.atomic
def post_need(
    *,
    site: Site,
    by: User | None,
    quantity: Decimal | str,
    needed_by: date,
    item: Item | None = None,
    category: str = "",
    unit: str | None = None,
    note: str = "",
    reference: str = "",
    within_km: int | None = None,
    share_with_partners: bool = False,
    token: UUID | None = None,
) -> Need:
    """Post what a site needs: `item`, or anything of a `category`, by a date.

    `quantity` is in the item's base unit (or in grams for a category), unless
    `unit` says what it was typed in ("kg", "cans", "L"...).

    With a `reference` (for example "meal-service:42" when the kitchen turns a
    meal's shortfall into a need), the site's open need for the same reference
    and item is updated instead of a second one being made, so calling this
    again for the same meal is harmless.

    `within_km` bounds how far away an offer may be to be suggested for the
    need (None: the site's limit, NetworkSettings.match_within_km).
    """
    content = {
        "item": item,
        "category": category,
        "quantity": quantity,
        "unit": unit,
        "needed_by": needed_by,
        "note": note,
        "reference": reference,
    }
    if within_km is not None:
        # Only when given, so a form sent before limits existed still reads the same.
        content["within_km"] = within_km
    if share_with_partners:
        content["share_with_partners"] = True
    existing = already_recorded(Need, token, site_id=site.pk, content=content)
    if existing is not None:
        return existing
    require_manager(
        by, site, _("Only leads of %(site)s and coordinators can post this site's needs.")
    )
    if (item is None) == (not category):
        raise DomainError(_("Say what is needed: one item, or a whole category."), field="item")
    if item is not None:
        category = item.category
        amount = to_base(quantity, unit, item) if unit else positive(quantity)
    else:
        if category not in Item.Category.values:
            raise DomainError(
                _("%(value)s is not a category.") % {"value": repr(category)}, field="category"
            )
        amount = grams(quantity, unit) if unit else positive(quantity)
    if needed_by < site.today():
        raise DomainError(_("The needed-by date has already passed."), field="needed_by")
    if within_km is not None and (
        not isinstance(within_km, int)
        or isinstance(within_km, bool)
        or not 1 <= within_km <= MAX_MATCH_KM
    ):
        raise DomainError(
            _(
                "Say how far an offer may be, from 1 to %(max_km)s km, or leave it empty "
                "for the site's limit."
            )
            % {"max_km": grouped(MAX_MATCH_KM)},
            field="within_km",
        )
    fields = {
        "category": category,
        "quantity": amount,
        "needed_by": needed_by,
        "closes_at": end_of_day(site, needed_by),
        "within_km": within_km,
        "note": note.strip()[:300],
        "share_with_partners": bool(share_with_partners),
    }
    reference = reference.strip()[:100]
    if reference:
        same = (
            Need.objects.select_for_update()
            .filter(site=site, item=item, reference=reference, status=Need.Status.OPEN)
            .first()
        )
        if same is not None:
            for name, value in fields.items():
                setattr(same, name, value)
            same.save(update_fields=list(fields))
            return same
    return Need.objects.create(
        site=site,
        item=item,
        reference=reference,
        posted_by=by,
        **fields,
        **tokened(token, content),
    )


@transaction.atomic
def close_need(*, need_id: int, by: User | None, status: str = Need.Status.MET) -> Need:
    """The site says a need is met, or withdraws it."""
    need = Need.objects.select_for_update().select_related("site").filter(pk=need_id).first()
    if need is None:
        raise DomainError(_("This need no longer exists."))
    require_manager(
        by, need.site, _("Only leads of %(site)s and coordinators can close this need.")
    )
    if status not in (Need.Status.MET, Need.Status.WITHDRAWN):
        raise DomainError(_("A need is closed as met or withdrawn."), field="status")
    if need.status == status:
        return need
    if need.status != Need.Status.OPEN:
        raise DomainError(
            _("This need is already closed: %(status)s.")
            % {"status": need.get_status_display().lower()}
        )
    need.status = status
    need.closed_at = timezone.now()
    need.save(update_fields=["status", "closed_at"])
    return need

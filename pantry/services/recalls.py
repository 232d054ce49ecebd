"""Recalls: name the food, trace it through the ledger, hold what is left everywhere,
tell each site, and keep each site's answer until the recall is closed.

The trace (pantry.trace) follows the named lots forward through transfers and
cooking to every lot their food is in now; everything of it still on a shelf is
held (pantry.services.holds) in the same transaction the recall starts in, so no
one can give it out between the click and the hold.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot.errors import DomainError
from commonpot.models import Site
from commonpot.permissions import can_manage_site, is_coordinator, lead_site_ids
from pantry.models import Item, LotHold, Recall, RecallSite, StockMove
from pantry.services.holds import discard_held, start_holds, tell_leads
from pantry.trace import Trace, lots_matching, trace

if TYPE_CHECKING:
    from commonpot.models import User

RECALL_MESSAGE = "pantry.recall"
MESSAGE_KINDS = {RECALL_MESSAGE: gettext_lazy("Recall")}


@dataclass(frozen=True)
class Criteria:
    item: Item | None = None
    code: str = ""
    dated_from: date | None = None
    dated_until: date | None = None
    donor_name: str = ""
    received_from: date | None = None
    received_until: date | None = None

    def check(self) -> None:
        """A recall names its food narrowly enough to act on, or it is refused."""
        if self.item is None and not self.donor_name.strip():
            raise DomainError(
                _(
                    "Name what is recalled: an item with its lot code or dates, or a donor with "
                    "the days its food came in."
                ),
                field="item",
            )
        if self.item is not None and not (self.code.strip() or self.dated_from or self.dated_until):
            raise DomainError(
                _(
                    "Give the lot code or the dates on the pack: recalling every lot of "
                    "%(item)s ever received is not a recall."
                )
                % {"item": self.item.name},
                field="code",
            )
        no_days = not (self.received_from or self.received_until)
        if self.donor_name.strip() and self.item is None and no_days:
            raise DomainError(_("Give the days the donor's food came in."), field="received_from")
        for first, last, field in (
            (self.dated_from, self.dated_until, "dated_until"),
            (self.received_from, self.received_until, "received_until"),
        ):
            if first and last and last < first:
                raise DomainError(_("The last day cannot be before the first."), field=field)

    def lots(self, site: Site | None):
        return lots_matching(
            item=self.item,
            code=self.code,
            dated_from=self.dated_from,
            dated_until=self.dated_until,
            donor_name=self.donor_name,
            received_from=self.received_from,
            received_until=self.received_until,
            sites=None if site is None else [site],
        )


def _may_start(by: User, site: Site | None) -> None:
    if site is None:
        if not is_coordinator(by):
            raise DomainError(_("Only a network coordinator can recall food across the network."))
    elif not can_manage_site(by, site):
        raise DomainError(
            _("Only the leads of %(site)s can recall food there.") % {"site": site.name}
        )


def recall_trace(recall: Recall) -> Trace:
    return trace(recall.lots.select_related("item", "site", "donor"))


@transaction.atomic
def start_recall(
    *,
    title: str,
    criteria: Criteria,
    by: User,
    site: Site | None = None,
    reason: str = "",
) -> Recall:
    """Start a recall: the lots the criteria name (at `site`, or network-wide), traced
    forward, every lot with food left held, each site on the trace asked to answer."""
    _may_start(by, site)
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("Say what is recalled, as the notice names it."), field="title")
    criteria.check()
    named = list(criteria.lots(site))
    if not named:
        field = "code" if criteria.item else "donor_name"
        if site is None:
            raise DomainError(
                _("No lot at any site matches: check the lot code and dates against the notice."),
                field=field,
            )
        raise DomainError(
            _("No lot at %(site)s matches: check the lot code and dates against the notice.")
            % {"site": site.name},
            field=field,
        )
    now = timezone.now()
    recall = Recall.objects.create(
        title=title[:200],
        reason=reason.strip(),
        site=site,
        item=criteria.item,
        code=criteria.code.strip(),
        dated_from=criteria.dated_from,
        dated_until=criteria.dated_until,
        donor_name=criteria.donor_name.strip(),
        received_from=criteria.received_from,
        received_until=criteria.received_until,
        started_at=now,
        started_by=by,
    )
    recall.lots.set(named)
    found = trace(named)
    start_holds(
        found.lots_with_food,
        cause=LotHold.Cause.RECALL,
        by=by,
        recall=recall,
        note=_recall_name(recall)[:200],
        at=now,
    )
    sites = Site.objects.filter(pk__in=found.site_ids).order_by("name")
    RecallSite.objects.bulk_create([RecallSite(recall=recall, site=s) for s in sites])
    tell_sites(recall)
    return recall


def _recall_name(recall: Recall) -> str:
    """ "Recall #3: Chopped tomatoes 400 g, lot L2345"."""
    return _("Recall #%(number)s: %(title)s") % {"number": recall.pk, "title": recall.title}


def tell_sites(recall: Recall) -> int:
    """One message to each lead of each site on the trace, exactly once: decided under
    a key named for the recall, in the recall's own transaction."""
    held = _held_counts(recall)
    told = 0
    for part in recall.sites.select_related("site"):
        site = part.site
        told += tell_leads(
            site,
            key=f"recall:{recall.pk}:site:{site.pk}",
            kind=RECALL_MESSAGE,
            compose=partial(_recall_message, recall, site, held.get(site.pk, 0)),
        )
    return told


def _recall_message(recall: Recall, site: Site, held: int) -> tuple[str, str]:
    """The subject and text that tell a site's leads of a recall, in the active language."""
    subject = _("Recall at %(site)s: %(title)s") % {"site": site.name, "title": recall.title}
    text = render_to_string(
        "pantry/email/recall.txt",
        {
            "recall": recall,
            "site": site,
            "held": held,
            "url": settings.SITE_URL + recall.get_absolute_url(),
        },
    )
    return subject, text


def _held_counts(recall: Recall) -> Counter[int]:
    """How many lots the recall holds at each site, by site id."""
    return Counter(LotHold.objects.filter(recall=recall).values_list("lot__site_id", flat=True))


def _lock_open(recall: Recall | int) -> Recall:
    pk = recall if isinstance(recall, int) else recall.pk
    fresh = Recall.objects.select_for_update().filter(pk=pk).first()
    if fresh is None:
        raise DomainError(_("This recall no longer exists."))
    if not fresh.is_open:
        raise DomainError(_("This recall is closed."))
    return fresh


@transaction.atomic
def answer_recall(
    recall: Recall | int,
    *,
    site: Site,
    answer: str,
    by: User,
    note: str = "",
    destination: str = "",
) -> RecallSite:
    """A site's lead answers: everything held here was found and is discarded now, or
    none was left. "None left" while food is still held here is refused."""
    recall = _lock_open(recall)
    if not can_manage_site(by, site):
        raise DomainError(_("Only the leads of %(site)s can answer for it.") % {"site": site.name})
    part = RecallSite.objects.select_for_update().filter(recall=recall, site=site).first()
    if part is None:
        raise DomainError(_("This recall did not reach %(site)s.") % {"site": site.name})
    if answer not in (RecallSite.Answer.DISCARDED, RecallSite.Answer.NONE_LEFT):
        raise DomainError(_("Choose what you found."), field="answer")
    note = " ".join(note.split())
    holds = list(
        LotHold.objects.open()
        .filter(recall=recall, lot__site=site)
        .select_related("lot__item")
        .order_by("pk")
    )
    with_food = [h for h in holds if h.lot.on_hand > 0]
    if answer == RecallSite.Answer.NONE_LEFT and with_food:
        names = ", ".join(sorted({h.lot.item.name for h in with_food}))
        count = len(with_food)
        raise DomainError(
            ngettext(
                "%(count)s held lot here still hold food (%(items)s): discard it, or "
                "say where it went.",
                "%(count)s held lots here still hold food (%(items)s): discard them, or "
                "say where it went.",
                count,
            )
            % {"count": count, "items": names},
            field="answer",
        )
    if answer == RecallSite.Answer.DISCARDED:
        if destination not in StockMove.Destination.values:
            raise DomainError(_("Say where the discarded food goes."), field="destination")
        reason = note or _recall_name(recall)
        # One hold per lot for a recall: each discard closes its own lot's holds only.
        for hold in holds:
            discard_held(hold, by=by, reason=reason[:200], destination=destination)
    part.answer = answer
    part.note = note[:300]
    part.answered_at = timezone.now()
    part.answered_by = by
    part.save(update_fields=["answer", "note", "answered_at", "answered_by"])
    return part


def may_close(user: User, recall: Recall) -> bool:
    if is_coordinator(user):
        return True
    return recall.site is not None and can_manage_site(user, recall.site)


@transaction.atomic
def close_recall(recall: Recall | int, *, by: User, note: str = "") -> Recall:
    """Close a recall once every site has answered."""
    recall = _lock_open(recall)
    if not may_close(by, recall):
        raise DomainError(_("Only whoever can start such a recall can close it."))
    waiting = list(
        recall.sites.filter(answer=RecallSite.Answer.WAITING)
        .select_related("site")
        .values_list("site__name", flat=True)
    )
    if waiting:
        raise DomainError(
            _("Still waiting for an answer from %(sites)s.") % {"sites": _(", ").join(waiting)}
        )
    recall.status = Recall.Status.CLOSED
    recall.closed_at = timezone.now()
    recall.closed_by = by
    recall.close_note = " ".join(note.split())[:300]
    recall.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    return recall


def visible_recalls(user: User):
    """Coordinators see every recall; a lead, those started at or reaching one of
    their sites."""
    recalls = Recall.objects.select_related("item", "site")
    if is_coordinator(user):
        return recalls
    ids = lead_site_ids(user)
    return recalls.filter(Q(site_id__in=ids) | Q(sites__site_id__in=ids)).distinct()


def recall_of(user: User, recall_id: int) -> Recall | None:
    return visible_recalls(user).filter(pk=recall_id).first()

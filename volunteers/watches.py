"""Watching a site or a role: "tell me when a shift there is short".

A volunteer keeps a `ShiftWatch` for a site (any role, or one role) and a
number of hours. The job `tell_watchers` (volunteers/tasks.py, every 15
minutes) finds published shifts that start within that many hours, are open
for sign-up and still have fewer people than their minimum, and decides one
email to each watcher into the outbox under the key
``volunteers:short-shift:<shift id>:<person id>``. The key is unique, so each
watcher hears about a shift once, however often the job runs, however many of
their watches cover it (a site's and a role's), and even if the shift fills
and falls short again. Nobody hears about a shift they are already on (or in
line for), one they are not free for (another of their shifts overlaps it), at
a site they may no longer see, or from a closed account.

The message goes by the person's channels (email, a text, or both) and carries
a one-tap claim link (volunteers.claim_links) that works without logging in.

A watch is an explicit request for these messages, so unticking every way to be
reminded on the profile does not stop them (they then come by email); stopping
the watch does.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from commonpot import jobs
from commonpot.errors import DomainError
from commonpot.i18n import in_language_of
from commonpot.mail import queue_emails
from commonpot.models import Membership, Message, Site, User
from commonpot.permissions import can_view_site, is_coordinator
from volunteers.claim_links import claim_url
from volunteers.i18n import lazy_format
from volunteers.models import Shift, ShiftRole, ShiftWatch, SignUp
from volunteers.reminders import Writer, _batches, when


def _hours(n: int):
    return lazy_format(ngettext_lazy("%(n)s hour", "%(n)s hours", n), n=n)


# How long before a shift a watcher may ask to hear (hours).
HOURS_CHOICES = [
    (6, _hours(6)),
    (12, _hours(12)),
    (24, _hours(24)),
    (48, _hours(48)),
    (72, lazy_format(ngettext_lazy("%(n)s day", "%(n)s days", 3), n=3)),
]
LONGEST = max(h for h, _label in HOURS_CHOICES)
BATCH_SIZE = 500  # shifts per batch

KIND = "volunteers.short-shift"
MESSAGE_KINDS = {KIND: gettext_lazy("Watched shift short of people")}


def watch_key(shift_id: int, user_id: int) -> str:
    return f"volunteers:short-shift:{shift_id}:{user_id}"


def sites_to_watch(user: User) -> QuerySet:
    """Active sites this person may see: public ones, their own, all for a coordinator."""
    sites = Site.objects.active()
    if not is_coordinator(user):
        sites = sites.filter(Q(is_public=True) | Q(memberships__user=user)).distinct()
    return sites.order_by("name", "pk")


def watches_of(user: User) -> QuerySet:
    return ShiftWatch.objects.filter(volunteer=user).select_related("site", "role")


@transaction.atomic
def watch_shifts(
    *, volunteer: User, site: Site, role: ShiftRole | None, hours_before: int
) -> tuple[ShiftWatch, bool]:
    """Start watching a site (or one of its roles); returns (watch, new).

    Watching the same thing again changes how many hours before.
    """
    if not site.is_active or not can_view_site(volunteer, site):
        raise DomainError(_("Choose a site you can see."), field="site")
    if role is not None and role.site_id != site.pk:
        raise DomainError(
            _("%(role)s is not a role at %(site)s.") % {"role": role.name, "site": site.name},
            field="role",
        )
    if hours_before not in {h for h, _label in HOURS_CHOICES}:
        raise DomainError(_("Choose one of the times offered."), field="hours_before")
    # Ordered by the key alone: the default ordering joins the (nullable) role,
    # and PostgreSQL cannot lock the nullable side of an outer join.
    existing = (
        ShiftWatch.objects.select_for_update()
        .filter(volunteer=volunteer, site=site, role=role)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        existing.hours_before = hours_before
        existing.save(update_fields=["hours_before"])
        return existing, False
    try:
        with transaction.atomic():
            watch = ShiftWatch.objects.create(
                volunteer=volunteer, site=site, role=role, hours_before=hours_before
            )
    except IntegrityError:  # the same watch, made by a second tap a moment ago
        watch = ShiftWatch.objects.get(volunteer=volunteer, site=site, role=role)
        return watch, False
    return watch, True


@transaction.atomic
def stop_watching(*, watch_id: int, by: User) -> ShiftWatch:
    watch = ShiftWatch.objects.select_related("site", "role").filter(pk=watch_id, volunteer=by)
    found = watch.first()
    if found is None:
        raise DomainError(_("This is not one of your watches."))
    found.delete()
    return found


# --- The job ------------------------------------------------------------------------


def _short_shifts(now: datetime) -> QuerySet:
    return (
        Shift.objects.published()
        .under_minimum()
        .filter(
            site__is_active=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=LONGEST),
        )
        .select_related("site__shift_policy", "role")
    )


def _due_pairs(shifts: list[Shift], now: datetime) -> list[tuple[Shift, User, ShiftWatch]]:
    """(shift, watcher, the watch that covers it) for this batch, each pair once,
    leaving out what is decided already, in a fixed number of queries."""
    shifts = [s for s in shifts if s.sign_up_opens_at <= now]
    if not shifts:
        return []
    by_site: dict[int, list[ShiftWatch]] = defaultdict(list)
    for watch in ShiftWatch.objects.filter(
        site__in={s.site_id for s in shifts}, volunteer__is_active=True
    ).select_related("volunteer"):
        by_site[watch.site_id].append(watch)
    watchers = {w.volunteer_id for ws in by_site.values() for w in ws}
    if not watchers:
        return []
    on_shift = set(
        SignUp.objects.active()
        .filter(shift__in=[s.pk for s in shifts], volunteer__in=watchers)
        .values_list("shift_id", "volunteer_id")
    )
    # Who is busy when: their other places in the batch's span, one query.
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for person_id, starts, ends in (
        SignUp.objects.active()
        .filter(
            volunteer__in=watchers,
            shift__starts_at__lt=max(s.ends_at for s in shifts),
            shift__ends_at__gt=min(s.starts_at for s in shifts),
        )
        .values_list("volunteer_id", "shift__starts_at", "shift__ends_at")
    ):
        busy[person_id].append((starts, ends))
    private = {s.site_id for s in shifts if not s.site.is_public}
    members = set(
        Membership.objects.filter(site__in=private, user__in=watchers).values_list(
            "site_id", "user_id"
        )
        if private
        else []
    )
    pairs: dict[str, tuple[Shift, User, ShiftWatch]] = {}
    for shift in shifts:
        for watch in by_site[shift.site_id]:
            person = watch.volunteer
            if watch.role_id not in (None, shift.role_id):
                continue
            if shift.starts_at > now + timedelta(hours=watch.hours_before):
                continue
            if (shift.pk, person.pk) in on_shift:
                continue
            if any(s < shift.ends_at and shift.starts_at < e for s, e in busy[person.pk]):
                continue
            if shift.site_id in private and not (
                (shift.site_id, person.pk) in members or person.is_coordinator
            ):
                continue
            pairs.setdefault(watch_key(shift.pk, person.pk), (shift, person, watch))
    taken = set(Message.objects.filter(key__in=list(pairs)).values_list("key", flat=True))
    return [pair for key, pair in pairs.items() if key not in taken]


def tell_watchers(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Decide the emails due to watchers now; returns how many were decided."""
    now = now or timezone.now()
    writer = Writer(now)
    watches_url = settings.SITE_URL + reverse("volunteers:watches")

    def email(pair: tuple[Shift, User, ShiftWatch]) -> dict:
        with in_language_of(pair[1]):
            return _email(pair)

    def _email(pair: tuple[Shift, User, ShiftWatch]) -> dict:
        shift, person, watch = pair
        short_by = shift.min_people - shift.places_taken
        claim = claim_url(shift.pk, person.pk)
        text, html = writer.render(
            "short_shift",
            {
                "shift": shift,
                "site": shift.site,
                "person": person,
                "watch": watch,
                "short_by": short_by,
                "shift_url": settings.SITE_URL + reverse("volunteers:shift", args=[shift.pk]),
                "claim_url": claim,
                "watches_url": watches_url,
            },
        )
        values = {
            "role": shift.role.name,
            "site": shift.site.name,
            "when": when(shift),
            "short_by": short_by,
            "url": claim,
            "taken": shift.places_taken,
            "needed": shift.min_people,
        }
        return {
            # Translators: a text message: "Cook at Riverside Kitchen, Tue 14 May, 09:00–12:00
            # BST needs 2 more. Claim a place: https://..."
            "sms": _(
                "%(role)s at %(site)s, %(when)s needs %(short_by)s more. Claim a place: %(url)s"
            )
            % values,
            "key": watch_key(shift.pk, person.pk),
            "kind": KIND,
            "to": person,
            "site": shift.site,
            "subject": _(
                "Short of people: %(role)s at %(site)s, %(when)s (%(taken)s of %(needed)s)"
            )
            % values,
            "text": text,
            "html": html,
            "meta": {"shift": shift.pk, "watch": watch.pk, "places_taken": shift.places_taken},
        }

    decided = 0
    for batch in _batches(_short_shifts(now), batch_size):
        pairs = _due_pairs(batch, now)
        emails = jobs.run_each(
            "watched shifts",
            pairs,
            email,
            describe=lambda p: f"shift {p[0].pk} for user {p[1].pk}",
            in_transaction=False,
        ).results
        decided += len(queue_emails(emails))
    return decided

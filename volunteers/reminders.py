"""Reminders and notices that go out exactly once.

The worker runs the functions here on a schedule (volunteers/tasks.py). Each
finds what is due, renders it, and decides it into the outbox
(`commonpot.mail.queue_emails`) under a key that names the decision:

- ``reminder-first:sign-up:<id>`` and ``reminder-second:sign-up:<id>``: the
  reminders `ShiftPolicy.reminder_hours` and `ShiftPolicy.second_reminder_hours` before a
  confirmed sign-up's shift;
- ``change:sign-up:<id>:<shift's change number>``: the shift moved after a
  reminder (or an earlier notice) told the volunteer its time (each message's
  `Message.meta` keeps the start it announced). Keyed by `Shift.change_seq`,
  not by the new time, so a shift moved back to a time it had before is told
  again, and each change is told once however often the job runs;
- ``under-minimum:site:<id>:<site's date>:<recipient>``: the site's shifts in
  the next 48 hours that are short of people, in one summary to each of its
  leads, at most once a day;
- ``digest:<user id>:<ISO week>``: the weekly list of shifts that need people,
  for volunteers who asked for it.

The key is unique in the database and written in the same transaction as the
decision, so a job that runs twice, overlaps itself or dies halfway cannot
decide — and so cannot send — the same message twice; the outbox sends and
retries. Work goes in batches of BATCH_SIZE, each costing the same few queries
whatever it holds: one for the batch (with everything it shows joined in), one
for the keys already taken, one insert, one to find what is ready to send.

Reminders and change notices go by each person's channels (`User.remind_by_email`,
`remind_by_sms`): one outbox row per channel, the text's key ending in ":sms"
(commonpot.mail). Someone with neither is left out of the query, so nothing is
recorded for them: turning reminders back on before a shift still brings its
reminder. The same choice stops change notices and, for a lead, the
under-minimum notices. `User.reminder_times` chooses the second reminder: as
the site sets it, none, or one two hours before (or at the site's second
reminder's time, when it sets one). The digest has its own opt-in
(`User.weekly_digest`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from icalendar import Calendar, Event

from commonpot import jobs
from commonpot.dates import clock_span, day
from commonpot.i18n import in_language_of, in_recipient_language
from commonpot.ical import vtimezone_text
from commonpot.mail import channels_of, push_key, queue_emails, sms_key
from commonpot.models import Membership, Message, Site, User
from volunteers.calendar import event_location, volunteer_uid
from volunteers.models import DEFAULT_REMINDER_HOURS, Shift, SignUp

BATCH_SIZE = 500
UNDER_MINIMUM_AHEAD = timedelta(hours=48)
DIGEST_AHEAD = timedelta(days=14)
DIGEST_SHOWN = 15
# The digest goes out from this time on Monday, on the clock of the sites a
# person volunteers at (the first of them to reach it, when they are in several).
DIGEST_FROM = time(8, 0)
# The second reminder of someone who asked for one "two hours before" at a site
# that sends none.
SOON_HOURS = 2
# Reminders whose announced start is older than this are not checked for moves.
CHANGE_GRACE = timedelta(hours=1)
CHANGE_LOOKBACK = timedelta(days=15)

REMINDER = "reminder"
CHANGE = "shift-moved"
UNDER_MINIMUM = "under-minimum"
DIGEST = "digest"
FIRST, SECOND = "reminder-first", "reminder-second"
# What the outbox calls each kind (registered in apps.py).
MESSAGE_KINDS = {
    REMINDER: gettext_lazy("Shift reminder"),
    CHANGE: gettext_lazy("Shift changed"),
    UNDER_MINIMUM: gettext_lazy("Shift short of people"),
    DIGEST: gettext_lazy("Shifts that need people"),
}


def sign_up_key(prefix: str, sign_up_id: int) -> str:
    return f"{prefix}:sign-up:{sign_up_id}"


def change_key(sign_up_id: int, change_seq: int) -> str:
    return f"change:sign-up:{sign_up_id}:{change_seq}"


def under_minimum_key(site_id: int, day, recipient: str) -> str:
    return f"under-minimum:site:{site_id}:{day.isoformat()}:{recipient}"


def digest_key(user_id: int, week: str) -> str:
    return f"digest:{user_id}:{week}"


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _decided(prefix: str, suffix: str = "") -> Exists:
    """The outer row's message under `prefix:<kind>:<pk>suffix` exists (uses the key index)."""
    key = Concat(Value(prefix), Cast(OuterRef("pk"), output_field=CharField()), Value(suffix))
    return Exists(Message.objects.filter(key=key))


def _decided_by_any_channel(prefix: str) -> Q:
    """The decision was made, by any channel (its rows are written together)."""
    return Q(_decided(prefix)) | Q(_decided(prefix, ":sms")) | Q(_decided(prefix, ":push"))


def _batches(qs: QuerySet, size: int) -> Iterator[list]:
    """The due rows' ids in one query, then each batch of them loaded afresh with the
    same conditions, so a row another run decided meanwhile drops out.

    Not keyset pages (`pk > last ... LIMIT`): with many rows due, a database that
    reaches them through the shifts' start-time index sorts every due row again for
    each page, and a run of 100,000 slowed down batch by batch.
    """
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids, size):
        batch = list(qs.filter(pk__in=chunk).order_by("pk"))
        if batch:
            yield batch


def _each(name: str, items: list, write, describe) -> list:
    """Write each row's email(s), skipping (and logging) a row that cannot be written.

    Through `commonpot.jobs`, so one sign-up's bad data holds up nobody else's
    reminder. No transaction per row: writing an email only reads what the
    batch already loaded, and the batch's decisions are one insert after it.
    """
    return jobs.run_each(name, items, write, describe=describe, in_transaction=False).results


def _sign_up(sign_up: SignUp) -> str:
    return f"sign-up {sign_up.pk}"


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _remindable(now: datetime) -> QuerySet:
    """Confirmed places on shifts still to start, for people who want reminders."""
    return (
        SignUp.objects.confirmed()
        .filter(
            shift__starts_at__gt=now,
            shift__site__is_active=True,
        )
        .filter(
            Q(volunteer__remind_by_email=True)
            | Q(volunteer__remind_by_sms=True)
            | Q(volunteer__remind_by_push=True)
        )
        .select_related(
            "shift__site__shift_policy",
            "shift__role",
            "volunteer",
            # What the shift is for, named in the reminder without another query.
            "shift__meal",
            "shift__transfer__source",
            "shift__transfer__destination",
            "shift__transfer__item",
        )
    )


# --- Rendering ---------------------------------------------------------------


class Writer:
    """Renders the emails of one run, caching what every email of it shares."""

    def __init__(self, now: datetime):
        self.now = now
        self.my_shifts_url = settings.SITE_URL + reverse("volunteers:my_shifts")
        self.profile_url = settings.SITE_URL + reverse("profile")
        self.board_url = settings.SITE_URL + reverse("volunteers:board")
        self._templates: dict[str, object] = {}
        # Per shift: what every sign-up's message says alike. A run reads each
        # shift's state once (one batch, one moment), so its text stays right.
        # Each in the language of the person it goes to (commonpot.i18n).
        self._calendars: dict[tuple[int, str], str] = {}
        self._whens: dict[tuple[int, str], str] = {}

    def render(self, name: str, context: dict) -> tuple[str, str]:
        context = {**context, "profile_url": self.profile_url, "board_url": self.board_url}
        parts = []
        for ext in ("txt", "html"):
            path = f"volunteers/email/{name}.{ext}"
            if path not in self._templates:
                self._templates[path] = get_template(path)
            parts.append(self._templates[path].render(context))
        return parts[0], parts[1]

    def _vtimezone(self, shift: Shift) -> bytes:
        """The zone's VTIMEZONE for the shift's dates (cached: it is most of an
        entry's text, and writing it out for each of thousands of emails is slow)."""
        start, end = shift.local_start.date(), shift.local_end.date()
        return vtimezone_text(shift.site.time_zone, start, end)

    def ics(self, sign_up: SignUp) -> dict:
        """The shift as a calendar entry, in the site's zone.

        The UID is the one the volunteer's calendar feed uses, so a calendar app
        that has both keeps one entry; SEQUENCE grows with each notice so a moved
        shift replaces the old time. The entry is written once per shift and
        each person's UID put in (writing it is most of a reminder's cost).
        """
        shift = sign_up.shift
        cached = (shift.pk, translation.get_language())
        if cached not in self._calendars:
            self._calendars[cached] = self._calendar(shift)
        content = self._calendars[cached].replace(
            f"\r\nUID:{_UID_STAND_IN}\r\n",
            f"\r\nUID:{volunteer_uid(shift.pk, sign_up.volunteer_id)}\r\n",
            1,
        )
        return {"filename": "shift.ics", "content": content, "mimetype": "text/calendar"}

    def _calendar(self, shift: Shift) -> str:
        cal = Calendar()
        cal.add("prodid", "-//Commonpot//Shift reminder//EN")
        cal.add("version", "2.0")
        cal.add("method", "PUBLISH")
        event = Event()
        event.add("uid", _UID_STAND_IN)
        event.add("dtstamp", self.now)
        event.add("sequence", int(self.now.timestamp()) // 60)
        event.add("summary", role_at_site(shift))
        event.add("dtstart", shift.local_start)
        event.add("dtend", shift.local_end)
        event.add("location", event_location(shift, exact=True))
        lines = (
            [_("What to bring or wear: %(what)s") % {"what": shift.what_to_bring}]
            if shift.what_to_bring
            else []
        )
        if shift.notes:
            lines.append(shift.notes)
        lines.append(_("Cannot come? %(url)s") % {"url": self.my_shifts_url})
        event.add("description", "\n".join(lines))
        event.add("url", self.my_shifts_url)
        cal.add_component(event)
        # The zone goes before the event that refers to it (RFC 5545 allows either
        # order; some calendar apps want the zone first).
        content = cal.to_ical().replace(
            b"BEGIN:VEVENT", self._vtimezone(shift) + b"BEGIN:VEVENT", 1
        )
        return content.decode()

    def when(self, shift: Shift) -> str:
        """`when(shift)`, once per shift (and language) of the run."""
        cached = (shift.pk, translation.get_language())
        if cached not in self._whens:
            self._whens[cached] = when(shift)
        return self._whens[cached]

    def reply_hint(self, sign_up: SignUp) -> str:
        """What a text reminder asks for: the replies commonpot.sms_replies understands."""
        if sign_up.may_cancel_freely(self.now):
            # Translators: keep YES and NO as they are: they are the words people text back.
            return _("Reply YES if you are coming, NO to give up your place.")
        # Translators: keep YES as it is: it is the word people text back.
        return _("Reply YES if you are coming. Cannot come? %(url)s") % {"url": self.my_shifts_url}

    def _shift_context(self, sign_up: SignUp) -> dict:
        shift = sign_up.shift
        return {
            "sign_up": sign_up,
            "shift": shift,
            "site": shift.site,
            "person": sign_up.volunteer,
            "may_cancel": sign_up.may_cancel_freely(self.now),
            "my_shifts_url": f"{self.my_shifts_url}#mine-{sign_up.pk}",
        }

    def reminder(self, sign_up: SignUp, which: str) -> dict:
        with in_language_of(sign_up.volunteer):
            return self._reminder(sign_up, which)

    def _reminder(self, sign_up: SignUp, which: str) -> dict:
        shift = sign_up.shift
        by_email, _by_sms = channels_of(sign_up.volunteer)
        # Someone reminded by text only needs no email written (most of the work).
        text, html = (
            self.render("reminder", {**self._shift_context(sign_up), "which": which})
            if by_email
            else ("", "")
        )
        values = {
            "role": shift.role.name,
            "site": shift.site.name,
            "when": self.when(shift),
            "place": shift.place,
            "reply": self.reply_hint(sign_up),
        }
        sms = (
            _("Reminder: %(role)s at %(site)s, %(when)s. Where: %(place)s. %(reply)s")
            if shift.place
            else _("Reminder: %(role)s at %(site)s, %(when)s. %(reply)s")
        )
        return {
            "sms": sms % values,
            "key": sign_up_key(which, sign_up.pk),
            "kind": REMINDER,
            "to": sign_up.volunteer,
            "site": shift.site,
            "subject": _("Reminder: %(role)s at %(site)s, %(when)s") % values,
            "text": text,
            "html": html,
            "attachments": [self.ics(sign_up)] if by_email else [],
            "meta": _announced(sign_up, which),
        }

    def change(self, sign_up: SignUp, told: dict) -> dict:
        """A change notice: what changed since `told` (the meta of the latest
        message that told the person about the shift), in their language."""
        with in_language_of(sign_up.volunteer):
            return self._change(sign_up, told)

    def _change(self, sign_up: SignUp, told: dict) -> dict:
        shift = sign_up.shift
        was = datetime.fromtimestamp(told["starts_ts"], tz=UTC)
        moved = told["starts_ts"] != int(shift.starts_at.timestamp())
        changes = changes_since(sign_up, told)
        context = {
            **self._shift_context(sign_up),
            "was": shift.site.local(was),
            "moved": moved,
            "changes": changes,
        }
        text, html = self.render("shift_moved", context)
        values = {
            "what": role_at_site(shift),
            "when": self.when(shift),
            "changes": " ".join(changes),
            "reply": self.reply_hint(sign_up),
        }
        return {
            "sms": _("Changed: %(what)s. %(changes)s %(reply)s") % values,
            "key": change_key(sign_up.pk, shift.change_seq),
            "kind": CHANGE,
            "to": sign_up.volunteer,
            "site": shift.site,
            "subject": (
                _("Changed time: %(what)s, now %(when)s") % values
                if moved
                else _("Changed: %(what)s, %(when)s") % values
            ),
            "text": text,
            "html": html,
            "attachments": [self.ics(sign_up)],
            "meta": {**_announced(sign_up, "change"), "was": _utc_iso(was)},
        }


# A calendar entry's UID before the person's is put in.
_UID_STAND_IN = volunteer_uid(0, 0)


def role_at_site(shift: Shift) -> str:
    """ "Cook at Riverside Kitchen": a shift's role and site, as messages name it."""
    # Translators: a shift's role and its site: "Cook at Riverside Kitchen".
    return _("%(role)s at %(site)s") % {"role": shift.role.name, "site": shift.site.name}


def when(shift: Shift) -> str:
    """ "Tue 14 May, 09:00–12:00 BST" (a night shift "22:00–06:00 CET next day"),
    in the site's zone."""
    start, end = shift.local_start, shift.local_end
    # ASCII in a subject line: some mail apps show an encoded one as it is.
    return f"{day(start)}, {clock_span(start, end, zone=True, between='-')}"


def _bring_digest(what_to_bring: str) -> str:
    return hashlib.sha256(what_to_bring.strip().encode()).hexdigest()[:16]


def _announced(sign_up: SignUp, which: str) -> dict:
    """What a message told the person about their shift, to tell later what changed:
    its start, its end, its role, what to bring (as a digest) and its place."""
    shift = sign_up.shift
    starts_at = shift.starts_at
    return {
        "sign_up": sign_up.pk,
        "shift": sign_up.shift_id,
        "which": which,
        "starts_at": _utc_iso(starts_at),
        "starts_ts": int(starts_at.timestamp()),
        "ends_ts": int(shift.ends_at.timestamp()),
        "role": shift.role_id,
        "role_name": shift.role.name,
        "bring": _bring_digest(shift.what_to_bring),
        "place": shift.place,
        "change_seq": shift.change_seq,
    }


def changes_since(sign_up: SignUp, told: dict) -> list[str]:
    """What differs between the shift now and what `told` (a message's meta) said,
    in words; empty when nothing a volunteer must know changed. A message from
    before a detail was kept says nothing about that detail."""
    shift = sign_up.shift
    site = shift.site
    found = []
    if told["starts_ts"] != int(shift.starts_at.timestamp()):
        was = site.local(datetime.fromtimestamp(told["starts_ts"], tz=UTC))
        found.append(
            _("It starts %(day)s at %(time)s (was %(was_day)s at %(was_time)s).")
            % {
                "day": day(shift.local_start),
                "time": f"{shift.local_start:%H:%M}",
                "was_day": day(was),
                "was_time": f"{was:%H:%M}",
            }
        )
    if "ends_ts" in told and told["ends_ts"] != int(shift.ends_at.timestamp()):
        was = site.local(datetime.fromtimestamp(told["ends_ts"], tz=UTC))
        found.append(
            _("It ends at %(time)s (was %(was_time)s).")
            % {"time": f"{shift.local_end:%H:%M}", "was_time": f"{was:%H:%M}"}
        )
    if "role" in told and told["role"] != shift.role_id:
        found.append(
            _("Your role is now %(role)s (was %(was)s).")
            % {
                "role": shift.role.name,
                # Translators: a role a shift had before, whose name is not known.
                "was": told["role_name"] if "role_name" in told else _("another"),
            }
        )
    if "bring" in told and told["bring"] != _bring_digest(shift.what_to_bring):
        if shift.what_to_bring.strip():
            found.append(
                _("What to bring or wear is now: %(what)s") % {"what": shift.what_to_bring.strip()}
            )
        else:
            found.append(_("There is no longer anything particular to bring or wear."))
    if "place" in told and told["place"] != shift.place:
        # Translators: where a shift was before: "(was at the site)".
        was = told["place"] or _("at the site")
        if shift.place:
            found.append(
                _("It is now at %(place)s (was %(was)s).") % {"place": shift.place, "was": was}
            )
        else:
            found.append(_("It is now at the site itself (was %(was)s).") % {"was": was})
    return found


# --- Reminders and change notices -------------------------------------------


def _within(field: str, hours_field: str, hours: list[int], now: datetime) -> Q:
    """Shifts starting within each site's own number of hours, as one condition.

    Sites choose from a handful of values, so one OR term per distinct value
    keeps this a single query without date arithmetic in SQL.
    """
    return reduce(
        or_,
        (Q(**{hours_field: h, f"{field}__lte": now + timedelta(hours=h)}) for h in hours),
    )


def _first_reminder_hours(prefix: str = "") -> Coalesce:
    """The site's first-reminder hours; a site without a ShiftPolicy row has the default."""
    return Coalesce(f"{prefix}shift_policy__reminder_hours", Value(DEFAULT_REMINDER_HOURS))


def decide_first_reminders(now: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    hours = sorted(
        set(
            Site.objects.active()
            .annotate(first_hours=_first_reminder_hours())
            .values_list("first_hours", flat=True)
        )
    )
    if not hours:
        return 0
    due = (
        _remindable(now)
        .alias(first_hours=_first_reminder_hours("shift__site__"))
        .filter(_within("shift__starts_at", "first_hours", hours, now))
        .filter(~_decided_by_any_channel(f"{FIRST}:sign-up:"))
    )
    writer = Writer(now)
    return sum(
        len(
            queue_emails(
                _each("first reminders", batch, lambda s: writer.reminder(s, FIRST), _sign_up)
            )
        )
        for batch in _batches(due, batch_size)
    )


def _second_hours() -> Case:
    """How long before the shift a sign-up's second reminder is due, by the person's
    choice: the site's; none; or two hours (the site's second, when it has one)."""
    site_second = F("shift__site__shift_policy__second_reminder_hours")
    return Case(
        When(volunteer__reminder_times=User.ReminderTimes.FIRST_ONLY, then=Value(None)),
        When(
            volunteer__reminder_times=User.ReminderTimes.ALSO_SOON,
            then=Coalesce(site_second, Value(SOON_HOURS)),
        ),
        default=site_second,
        output_field=IntegerField(),
    )


def decide_second_reminders(now: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """The optional second reminder, only for people whose first reminder went out
    before the second's window opened: someone who signed up (or was reminded)
    this close to the start has just heard from us."""
    hours = sorted(
        set(
            Site.objects.active()
            .filter(shift_policy__second_reminder_hours__isnull=False)
            .values_list("shift_policy__second_reminder_hours", flat=True)
        )
        | {SOON_HOURS}
    )
    due = (
        _remindable(now)
        .annotate(second_hours=_second_hours())
        .filter(_within("shift__starts_at", "second_hours", hours, now))
        .filter(~_decided_by_any_channel(f"{SECOND}:sign-up:"))
    )
    writer = Writer(now)
    decided = 0
    for batch in _batches(due, batch_size):
        firsts: dict[int, datetime] = {}
        keys = [
            k
            for s in batch
            for k in (
                sign_up_key(FIRST, s.pk),
                sms_key(sign_up_key(FIRST, s.pk)),
                push_key(sign_up_key(FIRST, s.pk)),
            )
        ]
        for meta, created_at in Message.objects.filter(key__in=keys).values_list(
            "meta", "created_at"
        ):
            firsts.setdefault(meta.get("sign_up"), created_at)

        def second(sign_up: SignUp, firsts=firsts) -> dict | None:
            first_at = firsts.get(sign_up.pk)
            opens = sign_up.shift.starts_at - timedelta(hours=sign_up.second_hours)
            if first_at is not None and first_at < opens:
                return writer.reminder(sign_up, SECOND)
            return None

        emails = _each("second reminders", batch, second, _sign_up)
        decided += len(queue_emails(e for e in emails if e is not None))
    return decided


def decide_change_notices(now: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Tell people whose shift moved after a reminder (or notice) gave them its time.

    Due when the shift's start differs from the latest start announced to that
    person. A shift moved and moved back before the job ran is where they were
    told, so nothing goes out; otherwise they hear the current time once, under
    the shift's current change number (every change bumps it, so no two moves
    share a key, and a second run finds the key taken).
    """
    announced: dict[int, dict] = {}
    rows = (
        Message.objects.filter(
            kind__in=[REMINDER, CHANGE],
            created_at__gte=now - CHANGE_LOOKBACK,
            meta__starts_ts__gt=int((now - CHANGE_GRACE).timestamp()),
        )
        .order_by("pk")
        .values_list("meta", flat=True)
    )
    for meta in rows.iterator(chunk_size=2000):
        # In key order, so the latest announcement to each person wins.
        announced[meta["sign_up"]] = meta
    writer = Writer(now)
    decided = 0
    for chunk in _chunks(sorted(announced), batch_size):
        changed = [
            s for s in _remindable(now).filter(pk__in=chunk) if changes_since(s, announced[s.pk])
        ]
        emails = _each(
            "change notices",
            changed,
            lambda s: writer.change(s, announced[s.pk]),
            _sign_up,
        )
        decided += len(queue_emails(emails))
    return decided


def send_due_reminders(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> dict:
    """The reminder job: first reminders, then second ones, then change notices."""
    now = now or timezone.now()
    return {
        "first": decide_first_reminders(now, batch_size=batch_size),
        "second": decide_second_reminders(now, batch_size=batch_size),
        "changed": decide_change_notices(now, batch_size=batch_size),
    }


# --- Notices to leads ---------------------------------------------------------


def warn_under_minimum(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Tell each lead of a site, once a day, about its shifts in the next 48 hours that
    are short of people: one summary listing them all, not one message per shift.

    A site with no lead is told at its contact address, if it has one. The key
    names the site, the site's date and the recipient, so a shift that falls
    short after today's summary is in tomorrow's.
    """
    now = now or timezone.now()
    short = list(
        Shift.objects.published()
        .under_minimum()
        .filter(site__is_active=True, starts_at__gt=now, starts_at__lte=now + UNDER_MINIMUM_AHEAD)
        .select_related("site", "role")
        .order_by("site_id", "starts_at", "pk")
    )
    by_site: dict[int, list[Shift]] = defaultdict(list)
    for shift in short:
        shift.short_by = shift.min_people - shift.places_taken
        by_site[shift.site_id].append(shift)
    leads: dict[int, list[User]] = defaultdict(list)
    for m in Membership.objects.filter(
        site__in=list(by_site), role=Membership.Role.LEAD
    ).select_related("user"):
        leads[m.site_id].append(m.user)
    writer = Writer(now)

    def subject(shifts: list[Shift]) -> str:
        if len(shifts) == 1:
            (only,) = shifts
            return _("Needs people: %(role)s, %(when)s (%(taken)s of %(needed)s needed)") % {
                "role": only.role.name,
                "when": when(only),
                "taken": only.places_taken,
                "needed": only.min_people,
            }
        return ngettext(
            "Needs people: %(n)s shift at %(site)s in the next two days",
            "Needs people: %(n)s shifts at %(site)s in the next two days",
            len(shifts),
        ) % {"n": len(shifts), "site": shifts[0].site.name}

    def summaries(shifts: list[Shift]) -> list[dict]:
        site = shifts[0].site
        shifts_url = settings.SITE_URL + reverse("volunteers:site_shifts", args=[site.slug])
        recipients: list[tuple[str, User | str]] = [
            (f"user-{u.pk}", u) for u in leads[site.pk] if u.wants_reminders
        ]
        if not leads[site.pk] and site.contact_email:
            recipients = [("site", site.contact_email)]
        day = site.local(now).date()
        emails = []
        for label, to in recipients:
            # Each lead in their language; the site's own address in the site's.
            with in_recipient_language(to, site):
                text, html = writer.render(
                    "under_minimum",
                    {
                        "shifts": shifts,
                        "site": site,
                        "shifts_url": shifts_url,
                        "to_lead": isinstance(to, User),
                    },
                )
                emails.append(
                    {
                        "key": under_minimum_key(site.pk, day, label),
                        "kind": UNDER_MINIMUM,
                        "to": to,
                        "site": site,
                        "subject": subject(shifts),
                        "text": text,
                        "html": html,
                        "meta": {"shifts": [s.pk for s in shifts]},
                    }
                )
        return emails

    emails = [
        email
        for found in _each(
            "under-minimum summaries",
            list(by_site.values()),
            summaries,
            lambda shifts: f"site {shifts[0].site_id}",
        )
        for email in found
    ]
    return len(queue_emails(emails))


# --- The weekly digest ----------------------------------------------------------


def digest_week(now: datetime, zone: str | None = None) -> str | None:
    """The ISO week whose digest is due now on the clock of `zone` (the server's
    when not given), or None before that Monday's DIGEST_FROM."""
    local = timezone.localtime(now, ZoneInfo(zone) if zone else None)
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, DIGEST_FROM, tzinfo=local.tzinfo):
        return None
    year, week, _weekday = local.isocalendar()
    return f"{year}-W{week:02d}"


def digest_weeks_due(now: datetime) -> dict[str, list[str]]:
    """For each ISO week whose digest is due somewhere, the site zones where it is."""
    due: dict[str, list[str]] = defaultdict(list)
    zones = Site.objects.active().order_by().values_list("time_zone", flat=True).distinct()
    for zone in sorted(zones):
        week = digest_week(now, zone)
        if week is not None:
            due[week].append(zone)
    return dict(due)


def send_weekly_digest(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Shifts that need people in the next two weeks, at the sites each person
    volunteers at, once a week, for those who asked for it: from 08:00 on Monday
    on their sites' clock (the first of their sites' zones to get there)."""
    now = now or timezone.now()
    return sum(
        _send_digest_week(now, week, zones, batch_size)
        for week, zones in digest_weeks_due(now).items()
    )


def _send_digest_week(now: datetime, week: str, zones: list[str], batch_size: int) -> int:
    people = (
        User.objects.filter(weekly_digest=True, is_active=True)
        .filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), site__is_active=True, site__time_zone__in=zones
                )
            )
        )
        .filter(~_decided("digest:", f":{week}"))
    )
    writer = Writer(now)
    decided = 0
    for batch in _batches(people, batch_size):
        sites_of: dict[int, set[int]] = defaultdict(set)
        for user_id, site_id in Membership.objects.filter(
            user__in=batch, site__is_active=True
        ).values_list("user_id", "site_id"):
            sites_of[user_id].add(site_id)
        wanted = list(
            Shift.objects.published()
            .needing_people()
            .filter(
                site__in={s for sites in sites_of.values() for s in sites},
                starts_at__gt=now,
                starts_at__lt=now + DIGEST_AHEAD,
            )
            .select_related("site", "role")
            .order_by("starts_at", "pk")
        )
        taken = set(
            SignUp.objects.active()
            .filter(volunteer__in=batch, shift__in=[s.pk for s in wanted])
            .values_list("volunteer_id", "shift_id")
        )

        def digest(person: User, sites_of=sites_of, wanted=wanted, taken=taken) -> dict | None:
            with in_language_of(person):
                return _digest(person, sites_of, wanted, taken)

        def _digest(person: User, sites_of, wanted, taken) -> dict | None:
            theirs = [
                s
                for s in wanted
                if s.site_id in sites_of[person.pk] and (person.pk, s.pk) not in taken
            ]
            if not theirs:
                return None  # nothing to ask for; looked at again next run this week
            text, html = writer.render(
                "digest",
                {
                    "person": person,
                    "shifts": theirs[:DIGEST_SHOWN],
                    "more": max(len(theirs) - DIGEST_SHOWN, 0),
                },
            )
            return {
                "key": digest_key(person.pk, week),
                "kind": DIGEST,
                "to": person,
                "subject": ngettext(
                    "%(n)s shift needs people", "%(n)s shifts need people", len(theirs)
                )
                % {"n": len(theirs)},
                "text": text,
                "html": html,
                "meta": {"week": week, "shifts": [s.pk for s in theirs[:DIGEST_SHOWN]]},
            }

        emails = _each("weekly digest", batch, digest, lambda p: f"user {p.pk}")
        decided += len(queue_emails(e for e in emails if e is not None))
    return decided

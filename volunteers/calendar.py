"""iCalendar feeds: a volunteer's own shifts (secret address) and a site's public shifts.

Built with the icalendar package. Each event's UID is made from the shift's id,
so a calendar app updates the same entry when a shift moves; times are in the
site's zone with a VTIMEZONE for it, so a phone in another zone shows them right.
Cancelled sign-ups are simply absent: a calendar app removes the entry on the
next refresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event

from commonpot.ical import add_time_zones
from commonpot.models import Site
from volunteers.models import Shift, SignUp

PAST = timedelta(days=60)
AHEAD = timedelta(days=120)
UID_DOMAIN = "commonpot"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Commonpot//Volunteer shifts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    # Ask calendar apps to look for changes every few hours.
    cal.add("refresh-interval", timedelta(hours=3), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT3H")
    return cal


def _event(
    shift: Shift, *, summary: str, description: str, uid: str, status: str, exact: bool = False
) -> Event:
    """`exact`: the shift's own place is shown even where the site hides its address
    (to the people on the shift)."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", shift.local_start)
    event.add("dtend", shift.local_end)
    event.add("status", status)
    event.add("location", event_location(shift, exact=exact))
    if description:
        event.add("description", description)
    event.add("url", settings.SITE_URL + reverse("volunteers:shift", args=[shift.pk]))
    return event


def volunteer_uid(shift_id: int, volunteer_id: int) -> str:
    """One person's entry for a shift: the same in their feed and their reminders'
    attachments, so a calendar app that has both keeps one."""
    return f"shift-{shift_id}-volunteer-{volunteer_id}@{UID_DOMAIN}"


def event_location(shift: Shift, *, exact: bool) -> str:
    """A calendar entry's LOCATION: the shift's own place when it has one (to those
    who may know it), else the site as its public page gives it."""
    site = shift.site
    if shift.place and (exact or site.show_exact_location):
        return f"{shift.place} ({site.name})"
    address = site.address.replace("\n", ", ") if site.show_exact_location else ""
    return ", ".join(p for p in [site.name, address, site.city] if p)


def _finish(cal: Calendar) -> bytes:
    # Read from the events, so a night shift ending after the window is covered too.
    add_time_zones(cal)
    return cal.to_ical()


def volunteer_feed(user, sign_ups: Iterable[SignUp]) -> bytes:
    # Translators: the name of a person's calendar of shifts: "My shifts — Ada".
    cal = _calendar(_("My shifts — %(name)s") % {"name": user.first_name_only})
    for sign_up in sign_ups:
        shift = sign_up.shift
        waiting = sign_up.is_waitlisted
        lines = []
        if waiting:
            lines.append(_("You are on the waitlist for this shift."))
        if sign_up.guests:
            lines.append(
                ngettext(
                    "You are bringing %(n)s guest(s).",
                    "You are bringing %(n)s guest(s).",
                    sign_up.guests,
                )
                % {"n": sign_up.guests}
            )
        if shift.what_to_bring:
            lines.append(_("What to bring or wear: %(what)s") % {"what": shift.what_to_bring})
        if shift.notes:
            lines.append(shift.notes)
        values = {"role": shift.role.name, "site": shift.site.name}
        cal.add_component(
            _event(
                shift,
                summary=(
                    # Translators: a calendar entry for a place on a shift's waitlist.
                    _("Waitlist: %(role)s at %(site)s") % values
                    if waiting
                    else _("%(role)s at %(site)s") % values
                ),
                description="\n".join(lines),
                uid=volunteer_uid(shift.pk, user.pk),
                status="TENTATIVE" if waiting else "CONFIRMED",
                exact=not waiting,
            )
        )
    return _finish(cal)


def volunteer_feed_sign_ups(user):
    now = timezone.now()
    return (
        SignUp.objects.active()
        .of(user)
        .filter(shift__ends_at__gte=now - PAST, shift__starts_at__lt=now + AHEAD)
        .select_related("shift__site", "shift__role")
        .order_by("shift__starts_at")
    )


def site_feed(site: Site) -> bytes:
    """The site's published shifts with how many places are left: no names."""
    now = timezone.now()
    cal = _calendar(_("Shifts at %(site)s") % {"site": site.name})
    shifts = (
        Shift.objects.at(site)
        .published()
        .filter(ends_at__gte=now - PAST, starts_at__lt=now + AHEAD)
        .select_related("site", "role")
    )
    for shift in shifts:
        left = shift.places_left
        values = {"role": shift.role.name, "site": site.name, "n": left}
        if left:
            summary = (
                ngettext(
                    "%(role)s at %(site)s (%(n)s place left)",
                    "%(role)s at %(site)s (%(n)s places left)",
                    left,
                )
                % values
            )
            lines = [ngettext("%(n)s place left.", "%(n)s places left.", left) % values]
        else:
            summary = _("%(role)s at %(site)s (full)") % values
            lines = [_("Full.")]
        if shift.what_to_bring:
            lines.append(_("What to bring or wear: %(what)s") % {"what": shift.what_to_bring})
        cal.add_component(
            _event(
                shift,
                summary=summary,
                description="\n".join(lines),
                uid=f"shift-{shift.pk}@{UID_DOMAIN}",
                status="CONFIRMED",
            )
        )
    return _finish(cal)

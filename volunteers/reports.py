"""The volunteers' part of the reports: hours given, and shifts filled against need."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from commonpot.numbers import grouped
from commonpot.reports import Chart, Period, Section, Table
from volunteers.models import Shift, SignUp


def figures(period: Period) -> dict:
    shifts = Shift.objects.filter(period.q(time_field="starts_at"), is_published=True)
    totals = shifts.aggregate(
        shifts=Count("pk"),
        needed=Sum("min_people"),
        places=Sum("max_people"),
        filled=Sum("places_taken"),
        under=Count("pk", filter=Q(places_taken__lt=F("min_people"))),
    )
    sign_ups = SignUp.objects.filter(shift__in=shifts)
    attendance = sign_ups.aggregate(
        hours=Sum("hours_credited", filter=Q(attendance=SignUp.Attendance.ATTENDED)),
        attended=Count("pk", filter=Q(attendance=SignUp.Attendance.ATTENDED)),
        missed=Count("pk", filter=Q(attendance=SignUp.Attendance.MISSED)),
        people=Count("volunteer", distinct=True, filter=Q(attendance=SignUp.Attendance.ATTENDED)),
    )
    by_role = list(
        shifts.values(role_name=F("role__name"))
        .annotate(n=Count("pk"), needed=Sum("min_people"), filled=Sum("places_taken"))
        .order_by("role_name")
    )
    return {
        "shifts": totals["shifts"],
        "places_needed": totals["needed"] or 0,
        "places_offered": totals["places"] or 0,
        "places_filled": totals["filled"] or 0,
        "shifts_under_minimum": totals["under"],
        "hours": attendance["hours"] or Decimal(0),
        "attended": attendance["attended"],
        "missed": attendance["missed"],
        "volunteers": attendance["people"],
        "by_role": by_role,
    }


def volunteers_section(period: Period) -> Section:
    f = figures(period)
    return Section(
        key="volunteers",
        title=_("Volunteers"),
        figures=[
            (_("Hours given"), grouped(f["hours"], 1)),
            (_("Volunteers who came"), grouped(f["volunteers"])),
            (_("Shifts"), grouped(f["shifts"])),
            (
                _("Places filled / needed"),
                f"{grouped(f['places_filled'])} / {grouped(f['places_needed'])}",
            ),
            (_("Shifts under their minimum"), grouped(f["shifts_under_minimum"])),
            (_("Missed (no-shows)"), grouped(f["missed"])),
        ],
        charts=[
            Chart(
                _("Places filled by role"),
                [(row["role_name"], float(row["filled"] or 0)) for row in f["by_role"]],
            )
        ],
        tables=[
            Table(
                "shifts-by-role",
                _("Shifts by role"),
                [_("Role"), _("Shifts"), _("Places needed"), _("Places filled")],
                [
                    [row["role_name"], row["n"], row["needed"] or 0, row["filled"] or 0]
                    for row in f["by_role"]
                ],
                numeric={1, 2, 3},
            )
        ],
    )

"""The volunteers' section of a site's Settings page: when reminders go out, the
emergency number and safety rules printed on every shift sheet, and for how many
days after a shift its attendance can still be recorded or corrected; and, as a
section of its own, the site's fair rules (volunteers.fair_rules)."""

from __future__ import annotations

from typing import Any

from commonpot.models import Site
from commonpot.services import save_settings_row
from volunteers.models import ShiftPolicy

REMINDER_AND_SHEET_FIELDS = [
    "emergency_phone",
    "safety_rules",
    "reminder_hours",
    "second_reminder_hours",
    "attendance_days",
    "drivers_need_phone",
]


def save_reminders_and_sheet(site: Site, **fields: Any) -> ShiftPolicy:
    return save_settings_row(ShiftPolicy, site, allowed=REMINDER_AND_SHEET_FIELDS, **fields)


FAIR_RULE_FIELDS = [
    "no_show_limit",
    "no_show_days",
    "max_hours_per_day",
    "min_rest_hours",
    "minor_max_hours_per_day",
    "minors_need_guardian",
]


def save_fair_rules(site: Site, **fields: Any) -> ShiftPolicy:
    return save_settings_row(ShiftPolicy, site, allowed=FAIR_RULE_FIELDS, **fields)

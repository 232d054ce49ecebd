"""Forms for the volunteers pages. Local dates and times are turned into aware
datetimes in the site's zone here; the services check the rules."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from django import forms
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from commonpot.dates import DayField, day, offer_which_time, resolve_local_time
from commonpot.forms import (
    BoxChoiceField,
    ModelMultipleIdsField,
    PhoneField,
    SettingsSectionForm,
    SuggestInput,
    list_or_box,
)
from commonpot.models import Site, User
from commonpot.numbers import MAX_SMALL_INT
from kitchen.models import MealService
from pantry.network.models import Run, Transfer
from volunteers.i18n import lazy_format
from volunteers.models import (
    DEFAULT_ATTENDANCE_DAYS,
    MAX_ATTENDANCE_DAYS,
    MAX_GUESTS,
    MAX_HOURS,
    MAX_NO_SHOW_DAYS,
    MAX_NO_SHOW_LIMIT,
    MAX_REST_HOURS,
    QualificationKind,
    Rota,
    RotaRegular,
    Shift,
    ShiftPolicy,
    ShiftRole,
    weekday_bits,
)
from volunteers.planning import ROTA_FIELDS, SAME_START_AND_END
from volunteers.site_settings import FAIR_RULE_FIELDS, REMINDER_AND_SHEET_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def guest_choices(up_to: int = MAX_GUESTS) -> list[tuple[int, str]]:
    return [(0, gettext_lazy("Just me"))] + [
        # Translators: who is coming to a shift: the volunteer and this many guests.
        (n, lazy_format(gettext_lazy("Me + %(guests)s"), guests=n))
        for n in range(1, up_to + 1)
    ]


class ClaimForm(forms.Form):
    guests = forms.TypedChoiceField(
        label=gettext_lazy("Who is coming"),
        choices=guest_choices(),
        coerce=int,
        initial=0,
        required=False,
        empty_value=0,
        help_text=gettext_lazy("Guests you bring count against the places left."),
    )


class TakeOverForm(forms.Form):
    """Nothing to fill in: the button is the whole form."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


class MealChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meal: MealService) -> str:
        n = meal.planned_servings
        # Translators: a meal to choose: "Tue 14 May · Lunch: Chilli (40 servings)".
        return _("%(day)s · %(kind)s: %(title)s (%(servings)s)") % {
            "day": day(meal.date),
            "kind": meal.get_kind_display(),
            "title": meal.title,
            "servings": ngettext("%(count)s serving", "%(count)s servings", n) % {"count": n},
        }


class RunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, run: Run) -> str:
        # Translators: a pickup run (a driver's round of stops), by its number.
        return _("Run #%(number)s on %(day)s") % {"number": run.pk, "day": day(run.day)}


class TransferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, transfer: Transfer) -> str:
        what = transfer.what
        if not transfer.is_shipment:
            what = f"{transfer.quantity_display} {transfer.item.name}"
        # Translators: food moved between two sites, with the transfer's status.
        return _("%(what)s from %(source)s to %(destination)s (%(status)s)") % {
            "what": what,
            "source": transfer.source.name,
            "destination": transfer.destination.name,
            "status": transfer.get_status_display().lower(),
        }


class ShiftForm(forms.Form):
    """A shift as a lead types it: a date and clock times at the site."""

    role = forms.ModelChoiceField(label=gettext_lazy("Role"), queryset=ShiftRole.objects.none())
    date = DayField(label=gettext_lazy("Date"), widget=DATE)
    start_time = forms.TimeField(widget=TIME, label=gettext_lazy("Starts"))
    end_time = forms.TimeField(
        widget=TIME,
        label=gettext_lazy("Ends"),
        help_text=gettext_lazy(
            "An end before the start is the next morning (a night shift, 22:00 to 06:00)."
        ),
    )
    min_people = forms.IntegerField(
        label=gettext_lazy("Minimum people"), min_value=0, max_value=MAX_SMALL_INT, initial=1
    )
    max_people = forms.IntegerField(
        label=gettext_lazy("Maximum people"),
        min_value=1,
        max_value=MAX_SMALL_INT,
        initial=4,
        error_messages={"min_value": gettext_lazy("The maximum must be at least 1.")},
    )
    what_to_bring = forms.CharField(
        label=gettext_lazy("What to bring or wear"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Leave empty when it is at the site. Otherwise where: a hall, a car park, an address."
        ),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    is_published = forms.BooleanField(
        label=gettext_lazy("Published (volunteers can see and claim it)"),
        required=False,
        initial=True,
    )
    meal = MealChoiceField(
        queryset=MealService.objects.none(),
        required=False,
        label=gettext_lazy("For the meal"),
        empty_label=gettext_lazy("No meal"),
        help_text=gettext_lazy(
            "The meal these people cook or serve; it and its allergens go on the sheet."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this site's coming meals.")},
    )
    transfer = TransferChoiceField(
        queryset=Transfer.objects.none(),
        required=False,
        label=gettext_lazy("Driving the transfer"),
        empty_label=gettext_lazy("No transfer"),
        help_text=gettext_lazy("For a driver shift: food going to or from this site."),
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of this site's open transfers.")
        },
    )
    run = RunChoiceField(
        queryset=Run.objects.none(),
        required=False,
        label=gettext_lazy("Driving the run"),
        empty_label=gettext_lazy("No run"),
        help_text=gettext_lazy(
            "For a driver shift: a pickup run from this site (its stops are on the driver's page)."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this site's coming runs.")},
    )

    def __init__(self, *args, site: Site, instance: Shift | None = None, **kwargs):
        self.site = site
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "role": instance.role_id,
                    "date": instance.local_start.date(),
                    "start_time": instance.local_start.time(),
                    "end_time": instance.local_end.time(),
                    "min_people": instance.min_people,
                    "max_people": instance.max_people,
                    "what_to_bring": instance.what_to_bring,
                    "place": instance.place,
                    "notes": instance.notes,
                    "is_published": instance.is_published,
                    "meal": instance.meal_id,
                    "transfer": instance.transfer_id,
                    "run": instance.run_id,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None and not self.is_bound:
            # A shift stored at a time that happens twice that day says which.
            offer_which_time(
                self, "start_which", after="start_time", moment=instance.starts_at, tz=site.tz
            )
            offer_which_time(
                self, "end_which", after="end_time", moment=instance.ends_at, tz=site.tz
            )
        roles = ShiftRole.objects.filter(site=site)
        if instance is None:
            roles = roles.filter(is_active=True)
        self.fields["role"].queryset = roles
        # The site's coming meals and open transfers, and whatever the shift already
        # points at (a meal since cooked stays choosable, so saving keeps the link).
        keep_meal = Q(pk=instance.meal_id) if instance and instance.meal_id else Q(pk__in=[])
        self.fields["meal"].queryset = (
            MealService.objects.at(site)
            .filter(
                (Q(date__gte=site.today()) & ~Q(status=MealService.Status.CANCELLED)) | keep_meal
            )
            .prefetch_related("recipes")
            .in_order()
        )
        keep = Q(pk=instance.transfer_id) if instance and instance.transfer_id else Q(pk__in=[])
        self.fields["transfer"].queryset = (
            Transfer.objects.involving([site.pk])
            .filter(Q(status__in=Transfer.IN_FLIGHT) | keep)
            .select_related("source", "destination", "item")
            .order_by("proposed_at", "pk")
        )
        keep_run = Q(pk=instance.run_id) if instance and instance.run_id else Q(pk__in=[])
        self.fields["run"].queryset = Run.objects.filter(
            Q(site=site, day__gte=site.today()) | keep_run
        ).order_by("day", "pk")

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            if end == start:
                self.add_error("end_time", _("The end must be after the start."))
            else:
                # An end at or before the start on the clock is the next morning.
                end_day = day + timedelta(days=1) if end < start else day
                tz = self.site.tz
                starts_at = resolve_local_time(
                    self, day, start, tz, field="start_time", which="start_which"
                )
                ends_at = resolve_local_time(
                    self, end_day, end, tz, field="end_time", which="end_which"
                )
                if starts_at and ends_at:
                    data["starts_at"], data["ends_at"] = starts_at, ends_at
        low, high = data.get("min_people"), data.get("max_people")
        if low is not None and high is not None and low > high:
            self.add_error("min_people", _("The minimum cannot be above the maximum."))
        return data

    def shift_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "role": d["role"],
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "min_people": d["min_people"],
            "max_people": d["max_people"],
            "what_to_bring": d["what_to_bring"],
            "place": d["place"].strip(),
            "notes": d["notes"],
            "is_published": d["is_published"],
            "meal": d.get("meal"),
            "transfer": d.get("transfer"),
            "run": d.get("run"),
        }


# The most people a list of a site's people offers as a <select>; a site with more
# (an event of 2,000 volunteers) gets a box with suggestions instead.
PEOPLE_LISTED = 40
# "Ana Silva #12": a suggestion's value, the person's name and number.
_NUMBERED = re.compile(r"#(\d{1,18})\s*$")
NAME_COLUMNS = ("display_name", "first_name", "last_name", "username")


def site_people(site_id: int):
    """A site's active people, by name: whom a lead may put on a shift or a rota."""
    return (
        User.objects.filter(memberships__site_id=site_id, is_active=True)
        .distinct()
        .order_by("display_name", "pk")
    )


def numbered(pk: int, name: str) -> str:
    return f"{name} #{pk}"


class PersonChoiceField(BoxChoiceField):
    """One of a site's people: from its list; or, past PEOPLE_LISTED of them, in a
    box with suggestions (`offer`), as a suggestion enters them ("Ana Silva #12")
    or by a whole name nobody else there has."""

    nobody = gettext_lazy("Nobody here is called “%(name)s”: pick them from the list.")
    several = gettext_lazy(
        "More than one person here is called “%(name)s”: pick them from the list."
    )

    def offer(self, suggest_url: str) -> None:
        """Its people as options, in one query; past PEOPLE_LISTED, a box instead."""
        rows = self.queryset.values_list("pk", *NAME_COLUMNS)[: PEOPLE_LISTED + 1]
        people = [(pk, User.name_of(*names)) for pk, *names in rows]
        if list_or_box(self, people, SuggestInput(suggest_url), PEOPLE_LISTED):
            self.help_text = _("Type a few letters of their name and pick them from the list.")

    def named(self, text: str) -> list:
        number = _NUMBERED.search(text)
        if number is not None:
            return list(self.queryset.filter(pk=int(number[1]))[:1])
        # Names only, never the username (often an email address a lead may not see).
        full_name = Concat("first_name", Value(" "), "last_name")
        return list(
            self.queryset.alias(full_name=full_name).filter(
                Q(display_name__iexact=text) | Q(display_name="", full_name__iexact=text)
            )[:2]
        )


class AddVolunteerForm(forms.Form):
    volunteer = PersonChoiceField(queryset=User.objects.none(), label=gettext_lazy("Volunteer"))
    guests = forms.TypedChoiceField(
        label=gettext_lazy("Guests"), choices=guest_choices(), coerce=int, initial=0
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("For example “phoned in” or “walk-in on the day”."),
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = site_people(site.pk)
        self.fields["volunteer"].offer(reverse("volunteers:people_suggested", args=[site.slug]))


class WalkInForm(forms.Form):
    """Someone who came without signing up: a name is enough."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=150,
        error_messages={"required": gettext_lazy("Write the walk-in's name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = PhoneField(
        label=gettext_lazy("Phone"),
        help_text=gettext_lazy("Seen only by this site's leads and coordinators."),
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    may_contact = forms.BooleanField(
        label=gettext_lazy("They agree to be contacted about volunteering here (ask them)"),
        required=False,
        initial=False,
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"),
        required=False,
        min_value=0,
        max_value=MAX_HOURS,
        decimal_places=2,
        max_digits=5,
        help_text=gettext_lazy("Leave empty for the length of the shift."),
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )


class InviteWalkInForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    agreed = forms.BooleanField(
        label=gettext_lazy("They asked for this invitation, or agreed to it"),
        required=False,
    )


class CheckInForm(forms.Form):
    # Not required: a check-in posted without one (an older page) records as before.
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    attendance = forms.ChoiceField(
        label=gettext_lazy("Attendance"),
        choices=[
            ("attended", gettext_lazy("Attended")),
            ("missed", gettext_lazy("Missed")),
            ("excused", gettext_lazy("Excused")),
        ],
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"),
        required=False,
        min_value=0,
        max_value=MAX_HOURS,
        decimal_places=2,
        max_digits=5,
        help_text=gettext_lazy("Leave empty for the length of the shift."),
    )


class MessageForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=150)
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 6}))


class CopyDayForm(forms.Form):
    from_day = DayField(label=gettext_lazy("Copy the shifts of"), widget=DATE)
    to_day = DayField(label=gettext_lazy("To"), widget=DATE)


class ShiftPolicyForm(forms.ModelForm):
    class Meta:
        model = ShiftPolicy
        fields = ["sign_up_opens_days", "cancellation_cutoff_hours"]


def _at_most_days(days: int):
    return lazy_format(ngettext_lazy("At most %(n)s day.", "At most %(n)s days.", days), n=days)


def _at_most_hours(hours: int):
    return lazy_format(ngettext_lazy("At most %(n)s hour.", "At most %(n)s hours.", hours), n=hours)


def _at_most_hours_in_a_day(hours: int):
    return lazy_format(
        ngettext_lazy(
            "At most %(n)s hour: a day has no more.",
            "At most %(n)s hours: a day has no more.",
            hours,
        ),
        n=hours,
    )


def _with_default(help_text, default) -> str:
    """A settings field's help text, with what an empty answer means."""
    # Translators: after a setting's help text: what leaving the field empty gives.
    empty = _("Empty: %(default)s.") % {"default": default}
    return f"{help_text} {empty}"


class RemindersAndSheetForm(SettingsSectionForm):
    """When reminders go out, what the shift sheet says and how long attendance
    stays open, as a section of the site's Settings page (the sign-up rules have
    their own page)."""

    emergency_phone = PhoneField(label=gettext_lazy("Emergency phone"))

    class Meta:
        model = ShiftPolicy
        fields = REMINDER_AND_SHEET_FIELDS
        widgets = {"safety_rules": forms.Textarea(attrs={"rows": 3})}
        labels = {"safety_rules": gettext_lazy("Safety rules")}
        error_messages = {
            "attendance_days": {
                "max_value": _at_most_days(MAX_ATTENDANCE_DAYS),
                "min_value": gettext_lazy("0 or more days (0: on the day of the shift only)."),
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["attendance_days"]
        days.required = False
        days.help_text = _with_default(days.help_text, DEFAULT_ATTENDANCE_DAYS)

    def clean_attendance_days(self) -> int:
        days = self.cleaned_data.get("attendance_days")
        return DEFAULT_ATTENDANCE_DAYS if days is None else days


class FairRulesForm(SettingsSectionForm):
    """The site's fair rules, as a section of its Settings page. Every rule is
    off at 0 (or unticked), which is how a site starts."""

    class Meta:
        model = ShiftPolicy
        fields = FAIR_RULE_FIELDS
        error_messages = {
            "no_show_limit": {
                "min_value": gettext_lazy("0 (off) or more missed shifts."),
                "max_value": lazy_format(
                    ngettext_lazy(
                        "At most %(n)s missed shift.",
                        "At most %(n)s missed shifts.",
                        MAX_NO_SHOW_LIMIT,
                    ),
                    n=MAX_NO_SHOW_LIMIT,
                ),
            },
            "no_show_days": {
                "min_value": gettext_lazy("At least 1 day."),
                "max_value": _at_most_days(MAX_NO_SHOW_DAYS),
            },
            "max_hours_per_day": {
                "min_value": gettext_lazy("0 (no cap) or more hours."),
                "max_value": _at_most_hours_in_a_day(MAX_HOURS),
            },
            "min_rest_hours": {
                "min_value": gettext_lazy("0 (no rule) or more hours."),
                "max_value": _at_most_hours(MAX_REST_HOURS),
            },
            "minor_max_hours_per_day": {
                "min_value": gettext_lazy("0 (the same as everyone) or more hours."),
                "max_value": _at_most_hours_in_a_day(MAX_HOURS),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty is the default (off, or 60 days), so the page saves as before for
        # a lead who never looks at this section.
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField):
                field.required = False
                default = ShiftPolicy._meta.get_field(name).default
                field.help_text = _with_default(field.help_text, default)

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            empty = data.get(name) is None and name not in self.errors
            if isinstance(field, forms.IntegerField) and empty:
                data[name] = ShiftPolicy._meta.get_field(name).default
        cap, minors = data.get("max_hours_per_day"), data.get("minor_max_hours_per_day")
        if cap and minors and minors > cap:
            self.add_error(
                "minor_max_hours_per_day",
                ngettext(
                    "Minors cannot be allowed more than everyone (%(n)s hour a day).",
                    "Minors cannot be allowed more than everyone (%(n)s hours a day).",
                    cap,
                )
                % {"n": cap},
            )
        return data


class RoleForm(forms.ModelForm):
    class Meta:
        model = ShiftRole
        fields = [
            "name",
            "description",
            "minimum_age",
            "adults_only",
            "required_qualifications",
            "is_active",
        ]
        widgets = {"required_qualifications": forms.CheckboxSelectMultiple}
        field_classes = {"required_qualifications": ModelMultipleIdsField}
        labels = {
            "name": gettext_lazy("Name"),
            "description": gettext_lazy("Description"),
            "minimum_age": gettext_lazy("Minimum age"),
            "required_qualifications": gettext_lazy("Required qualifications"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_qualifications"].queryset = QualificationKind.objects.all()

    def validate_unique(self):
        # The site is not on the form; the service checks a name is not used twice.
        pass


class QualificationKindForm(forms.ModelForm):
    class Meta:
        model = QualificationKind
        fields = ["name", "description"]
        labels = {
            "name": gettext_lazy("Qualification"),
            "description": gettext_lazy("Description"),
        }

    def validate_unique(self):
        pass  # adding one that exists simply uses it


# Django's own short day names (0 = Monday), as dates write them in each language.
WEEKDAY_CHOICES = sorted(WEEKDAYS_ABBR.items())


class RotaForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one day.")},
        help_text=gettext_lazy("It makes a shift on each of these days every week."),
    )

    class Meta:
        model = Rota
        fields = list(ROTA_FIELDS)
        widgets = {
            "start_time": TIME,
            "end_time": TIME,
            "starts_on": DATE,
            "ends_on": DATE,
            "what_to_bring": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"starts_on": DayField, "ends_on": DayField}
        labels = {
            "role": gettext_lazy("Role"),
            "start_time": gettext_lazy("Start time"),
            "end_time": gettext_lazy("End time"),
            "place": gettext_lazy("Place"),
            "notes": gettext_lazy("Notes"),
            "weeks_ahead": gettext_lazy("Weeks ahead"),
            "starts_on": gettext_lazy("Starts on"),
            "ends_on": gettext_lazy("Ends on"),
            "is_active": gettext_lazy("Is active"),
        }

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = ShiftRole.objects.filter(site=site)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["weekdays"] = self.instance.days

    def clean_weekdays(self) -> int:
        # Stored as bits (bit n = weekday n), as the service and the model keep it.
        return weekday_bits(self.cleaned_data["weekdays"])

    def _post_clean(self):
        # Constraints are checked by the service, which has the site and says
        # which field is wrong; a half-built instance must not be validated here.
        pass

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end == start:
            self.add_error("end_time", SAME_START_AND_END)
        low, high = data.get("min_people"), data.get("max_people")
        if high is not None and high < 1:
            self.add_error("max_people", _("The maximum must be at least 1."))
        if low is not None and high is not None and low > high:
            self.add_error("min_people", _("The minimum cannot be above the maximum."))
        return data


class RotaExceptionForm(forms.Form):
    date = DayField(label=gettext_lazy("Date"), widget=DATE)
    skip = forms.BooleanField(label=gettext_lazy("No shift that day"), required=False, initial=True)
    start_time = forms.TimeField(
        widget=TIME, required=False, label=gettext_lazy("Other start time")
    )
    end_time = forms.TimeField(widget=TIME, required=False, label=gettext_lazy("Other end time"))
    max_people = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_SMALL_INT, label=gettext_lazy("Other maximum")
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args, rota: Rota, **kwargs):
        self.rota = rota
        super().__init__(*args, **kwargs)

    def clean(self):
        """That day's hours must exist on the site's clock; a time that happens
        twice (the night the clocks go back) says which one."""
        data = super().clean()
        day = data.get("date")
        if day is None or data.get("skip", True) or self.errors:
            return data
        start = data.get("start_time") or self.rota.start_time
        end = data.get("end_time") or self.rota.end_time
        if end == start:
            self.add_error("end_time", SAME_START_AND_END)
            return data
        end_day = day + timedelta(days=1) if end < start else day
        tz = self.rota.site.tz
        for clock, on, name in ((start, day, "start"), (end, end_day, "end")):
            moment = resolve_local_time(
                self, on, clock, tz, field=f"{name}_time", which=f"{name}_which"
            )
            if moment is not None and f"{name}_which" in self.fields:
                data[f"{name}_fold"] = moment.astimezone(tz).fold
        return data


class RegularForm(forms.Form):
    """A person of the site put on a rota, on some or all of its days."""

    volunteer = PersonChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Person"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this site's volunteers.")},
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Only on"),
        choices=[],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave all unticked for every day of the rota."),
        error_messages={"invalid_choice": gettext_lazy("Choose among the rota's days.")},
    )
    starts_on = DayField(
        label=gettext_lazy("From"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("Empty: today."),
    )
    ends_on = DayField(
        label=gettext_lazy("Until"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("Empty: no end."),
    )

    def __init__(self, *args, rota: Rota, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = site_people(rota.site_id)
        suggest = reverse("volunteers:people_suggested", args=[rota.site.slug])
        self.fields["volunteer"].offer(suggest)
        self.fields["weekdays"].choices = [c for c in WEEKDAY_CHOICES if rota.runs_on(c[0])]

    def clean(self):
        data = super().clean()
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        return data


class RegularChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, regular: RotaRegular) -> str:
        return regular.volunteer.name


class TakeOffDateForm(forms.Form):
    """One date of the rota a regular does not come (their sign-up is cancelled)."""

    regular = RegularChoiceField(
        queryset=RotaRegular.objects.none(),
        # Translators: a person a rota signs up on its shifts every week.
        label=gettext_lazy("Regular"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this rota's regulars.")},
    )
    date = DayField(label=gettext_lazy("Date"), widget=DATE)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("They are told."),
    )

    def __init__(self, *args, rota: Rota, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regular"].queryset = (
            rota.regulars.filter(removed_at__isnull=True)
            .select_related("volunteer")
            .order_by("volunteer__display_name", "pk")
        )


class QualificationForm(forms.Form):
    kind = forms.ModelChoiceField(
        queryset=QualificationKind.objects.all(), label=gettext_lazy("Qualification")
    )
    expires_on = DayField(
        label=gettext_lazy("Expires on"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("Leave empty if it never expires."),
    )
    reference = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Certificate number or note")
    )


class DateOfBirthForm(forms.Form):
    date_of_birth = DayField(
        label=gettext_lazy("Date of birth"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy(
            "Only used to check the minimum age some roles need. Leaders do not see it."
        ),
    )
    guardian_name = forms.CharField(
        # Translators: "under 18s": people younger than 18.
        label=gettext_lazy("Parent or guardian (under 18s)"),
        max_length=150,
        required=False,
        help_text=gettext_lazy(
            "Some sites need a parent's or guardian's contact before a minor can claim."
        ),
    )
    guardian_phone = PhoneField(label=gettext_lazy("Their phone"))
    emergency_name = forms.CharField(
        label=gettext_lazy("Emergency contact"),
        max_length=150,
        required=False,
        help_text=gettext_lazy(
            "Whom to call if something happens on a shift. Only the leads of sites "
            "where you volunteer see it."
        ),
    )
    emergency_phone = PhoneField(label=gettext_lazy("Their phone"))


class AvailabilityForm(forms.Form):
    """When a person can usually help and what they like doing: a lead asking who
    could fill a short shift sees it. Nothing is promised by it."""

    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Days you can usually help"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Roles you like"),
        queryset=ShiftRole.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = (
            ShiftRole.objects.filter(site__memberships__user=user)
            .select_related("site")
            .order_by("site__name", "name")
        )
        self.fields["roles"].label_from_instance = role_at_site


def role_at_site(role: ShiftRole) -> str:
    # Translators: a shift role and its site: "Cook at Riverside Kitchen".
    return _("%(role)s at %(site)s") % {"role": role.name, "site": role.site.name}


class LeadNoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Leads' note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Only this site's leads see it: not the volunteer, not other sites."
        ),
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())

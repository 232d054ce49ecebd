"""The people side of a site: shift roles, qualifications, shifts, rotas, sign-ups.

The one rule everything here keeps: a shift never holds more people than its
maximum. `Shift.places_taken` is the number of confirmed people (volunteers and
their guests) and is only changed by `volunteers.services` under a row lock on
the shift; a check constraint refuses any write that would take it past
`max_people`, so even a bug elsewhere cannot overfill a shift.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import clock_span, day
from commonpot.hours import days_text
from commonpot.models import Site
from commonpot.numbers import MAX_INT, MAX_SMALL_INT, fits_columns
from volunteers.i18n import lazy_format

MAX_GUESTS = 10
# Hours credited for one sign-up: a day at most (the column holds up to 999.99).
MAX_HOURS = 24
DEFAULT_REMINDER_HOURS = 24
DEFAULT_ATTENDANCE_DAYS = 14
MAX_ATTENDANCE_DAYS = 90
# Fair rules (ShiftPolicy): under this age a person is a minor.
ADULT_AGE = 18
MAX_NO_SHOW_LIMIT = 20
MAX_NO_SHOW_DAYS = 365
MAX_REST_HOURS = 48
# A set of weekdays kept as bits: bit n is weekday n (Monday 0), so 127 is every day.
EVERY_DAY = 0b1111111
DEFAULT_SAFETY_RULES = gettext_lazy(
    "Closed shoes in the kitchen. Wash your hands when you arrive and after breaks. "
    "Gloves for ready-to-eat food. Tell the lead about any allergy, cut or burn."
)
# "Mondays" for a rota that runs on one day of the week (0 = Monday).
WEEKDAYS_PLURAL = (
    gettext_lazy("Mondays"),
    gettext_lazy("Tuesdays"),
    gettext_lazy("Wednesdays"),
    gettext_lazy("Thursdays"),
    gettext_lazy("Fridays"),
    gettext_lazy("Saturdays"),
    gettext_lazy("Sundays"),
)


def weekday_bits(weekdays) -> int:
    """The bits of a set of weekdays (0 = Monday): Mon, Wed, Fri is 0b10101."""
    return sum(1 << d for d in set(weekdays))


def weekdays_of(bits: int) -> list[int]:
    return [n for n in range(7) if bits & (1 << n)]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class VolunteerProfile(models.Model):
    """What the volunteers app keeps about a person beyond their account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile"
    )
    date_of_birth = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Only used to check the minimum age some roles need."),
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    guardian_name = models.CharField(gettext_lazy("parent or guardian"), max_length=150, blank=True)
    guardian_phone = models.CharField(gettext_lazy("their phone"), max_length=32, blank=True)
    # Whom to call if something happens on a shift: seen by the leads of sites
    # where the person volunteers (and coordinators), never by other volunteers.
    emergency_name = models.CharField(gettext_lazy("emergency contact"), max_length=150, blank=True)
    emergency_phone = models.CharField(gettext_lazy("their phone"), max_length=32, blank=True)
    # When they can usually help (bit n = weekday n, Monday 0; 0: not said) and the
    # roles they like: what a lead's "who could fill this" list goes by.
    available_days = models.PositiveSmallIntegerField(default=0)
    preferred_roles = models.ManyToManyField("ShiftRole", blank=True, related_name="+")

    def __str__(self) -> str:
        return _("Volunteer profile of %(person)s") % {"person": self.user}

    @property
    def weekdays(self) -> list[int]:
        return [n for n in range(7) if self.available_days & (1 << n)]

    def free_on(self, weekday: int) -> bool:
        return bool(self.available_days & (1 << weekday))

    @property
    def has_guardian_contact(self) -> bool:
        return bool(self.guardian_name.strip() and self.guardian_phone.strip())

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ShiftPolicy(models.Model):
    """A site's rules for sign-ups, reminders and the shift sheet.

    Sites without a row use the defaults.
    """

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="shift_policy")
    sign_up_opens_days = models.PositiveSmallIntegerField(
        gettext_lazy("sign-up opens (days ahead)"),
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=gettext_lazy("Volunteers can claim a shift this many days before it starts."),
    )
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        gettext_lazy("cancellation cutoff (hours before)"),
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text=gettext_lazy(
            "After this, a volunteer who cannot come asks for a stand-in instead."
        ),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        gettext_lazy("first reminder (hours before a shift)"),
        default=DEFAULT_REMINDER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    second_reminder_hours = models.PositiveSmallIntegerField(
        gettext_lazy("second reminder (hours before a shift)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(48)],
        help_text=gettext_lazy("Optional, for example 2. Leave empty for one reminder only."),
    )
    safety_rules = models.TextField(
        blank=True,
        default=DEFAULT_SAFETY_RULES,
        help_text=gettext_lazy("Printed at the foot of every shift sheet."),
    )
    emergency_phone = models.CharField(max_length=32, blank=True)
    drivers_need_phone = models.BooleanField(
        gettext_lazy("drivers must give a phone number"),
        default=False,
        help_text=gettext_lazy(
            "A driver shift (one linked to a transfer) can be claimed only by "
            "someone with a phone number on their profile, so the sites at each end can call."
        ),
    )
    attendance_days = models.PositiveSmallIntegerField(
        gettext_lazy("attendance can be recorded for (days after a shift)"),
        default=DEFAULT_ATTENDANCE_DAYS,
        validators=[MaxValueValidator(MAX_ATTENDANCE_DAYS)],
        help_text=lazy_format(
            gettext_lazy(
                "Leads can record or correct who came, and their hours, until this many "
                "days after the day a shift ends (0: on that day only). Up to %(most)s."
            ),
            most=MAX_ATTENDANCE_DAYS,
        ),
    )
    # Fair rules. Every one is off by default (0 or unticked), so a site that
    # never opens them keeps claiming exactly as before.
    no_show_limit = models.PositiveSmallIntegerField(
        gettext_lazy("missed shifts before claims need approval"),
        default=0,
        validators=[MaxValueValidator(MAX_NO_SHOW_LIMIT)],
        help_text=gettext_lazy(
            "After this many missed shifts here (within the days below), a volunteer's "
            "new claims wait for a lead's approval. 0: off."
        ),
    )
    no_show_days = models.PositiveSmallIntegerField(
        gettext_lazy("counting missed shifts over (days)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_NO_SHOW_DAYS)],
    )
    max_hours_per_day = models.PositiveSmallIntegerField(
        gettext_lazy("most hours a person may do in a day"),
        default=0,
        validators=[MaxValueValidator(MAX_HOURS)],
        help_text=gettext_lazy("Counted over a person's shifts here starting that day. 0: no cap."),
    )
    min_rest_hours = models.PositiveSmallIntegerField(
        gettext_lazy("rest between shifts (hours)"),
        default=0,
        validators=[MaxValueValidator(MAX_REST_HOURS)],
        help_text=gettext_lazy(
            "The least time between the end of one of a person's shifts here and the "
            "start of their next. 0: no rule."
        ),
    )
    minor_max_hours_per_day = models.PositiveSmallIntegerField(
        lazy_format(
            gettext_lazy("most hours a minor (under %(age)s) may do in a day"), age=ADULT_AGE
        ),
        default=0,
        validators=[MaxValueValidator(MAX_HOURS)],
        help_text=gettext_lazy(
            "0: the same as everyone. Roles marked “Not for minors” are closed to them either way."
        ),
    )
    minors_need_guardian = models.BooleanField(
        gettext_lazy("minors need a parent's or guardian's contact to claim"),
        default=False,
        help_text=gettext_lazy(
            "They add it with their date of birth, on their Qualifications page."
        ),
    )

    def __str__(self) -> str:
        return _("Shift rules at %(site)s") % {"site": self.site}

    @classmethod
    def for_site(cls, site: Site) -> ShiftPolicy:
        """The site's rules, or the defaults (unsaved) when it has none yet."""
        try:
            return site.shift_policy
        except cls.DoesNotExist:
            return cls(site=site)

    @property
    def cutoff(self) -> timedelta:
        return timedelta(hours=self.cancellation_cutoff_hours)

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.sign_up_opens_days)


class QualificationKind(models.Model):
    """A certificate or licence the network recognises (food hygiene, driving...)."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """A volunteer's own record of holding a qualification; a lead verifies it."""

    class State(models.TextChoices):
        VALID = "valid", gettext_lazy("Verified")
        UNVERIFIED = "unverified", gettext_lazy("Waiting for a lead to verify")
        EXPIRED = "expired", gettext_lazy("Expired")

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.ForeignKey(QualificationKind, on_delete=models.PROTECT, related_name="held")
    reference = models.CharField(
        gettext_lazy("certificate number or note"), max_length=100, blank=True
    )
    expires_on = models.DateField(
        null=True, blank=True, help_text=gettext_lazy("Leave empty if it never expires.")
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["kind__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "kind"],
                name="qualification_once_per_kind",
                violation_error_message=gettext_lazy(
                    "You have already recorded this qualification."
                ),
            )
        ]

    def __str__(self) -> str:
        return _("%(qualification)s held by %(person)s") % {
            "qualification": self.kind,
            "person": self.volunteer,
        }

    def state_on(self, day: date) -> str:
        if self.expires_on is not None and self.expires_on < day:
            return self.State.EXPIRED
        if self.verified_at is None:
            return self.State.UNVERIFIED
        return self.State.VALID

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    @property
    def state_label(self) -> str:
        return self.State(self.state).label


class ShiftRole(models.Model):
    """What a person does on a shift at one site: cook, server, driver..."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="shift_roles")
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    required_qualifications = models.ManyToManyField(
        QualificationKind, blank=True, related_name="roles"
    )
    minimum_age = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(99)],
        help_text=gettext_lazy("Leave empty if anyone may do it."),
    )
    adults_only = models.BooleanField(
        gettext_lazy("not for minors"),
        default=False,
        help_text=lazy_format(
            gettext_lazy("Only people aged %(age)s or over (by their date of birth) may do it."),
            age=ADULT_AGE,
        ),
    )
    is_active = models.BooleanField(
        gettext_lazy("in use"),
        default=True,
        help_text=gettext_lazy("Untick to stop offering it for new shifts."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name="shift_role_name_once_per_site",
                violation_error_message=gettext_lazy(
                    "This site already has a role with this name."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Rota(models.Model):
    """A weekly template: "Mon, Wed, Fri 16:00-19:00, 4 cooks" makes a shift on each
    of those days every week."""

    # Django's own day names, as its dates write them in each language.
    class Weekday(models.IntegerChoices):
        MONDAY = 0, WEEKDAYS[0]
        TUESDAY = 1, WEEKDAYS[1]
        WEDNESDAY = 2, WEEKDAYS[2]
        THURSDAY = 3, WEEKDAYS[3]
        FRIDAY = 4, WEEKDAYS[4]
        SATURDAY = 5, WEEKDAYS[5]
        SUNDAY = 6, WEEKDAYS[6]

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rotas")
    role = models.ForeignKey(ShiftRole, on_delete=models.PROTECT, related_name="rotas")
    # The days it runs, as bits (bit n = weekday n, Monday 0): at least one.
    weekdays = models.PositiveSmallIntegerField(gettext_lazy("days"))
    start_time = models.TimeField(help_text=gettext_lazy("The site's local time."))
    end_time = models.TimeField(
        help_text=gettext_lazy(
            "The site's local time; an end before the start is the next morning."
        )
    )
    min_people = models.PositiveSmallIntegerField(gettext_lazy("minimum people"), default=1)
    max_people = models.PositiveSmallIntegerField(gettext_lazy("maximum people"), default=4)
    what_to_bring = models.TextField(gettext_lazy("what to bring or wear"), blank=True)
    place = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy(
            "Where, when it is not at the site's own address: a hall, a car park, a street corner."
        ),
    )
    notes = models.TextField(blank=True)
    publish = models.BooleanField(
        gettext_lazy("publish the shifts it makes"),
        default=True,
        help_text=gettext_lazy("Untick to review them first."),
    )
    weeks_ahead = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(
        null=True, blank=True, help_text=gettext_lazy("Leave empty to keep going.")
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # By the first day it runs (the lowest bit set), then by the time.
        ordering = [F("weekdays").bitand(F("weekdays") * -1), "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=EVERY_DAY),
                name="rota_runs_on_some_day",
                violation_error_message=gettext_lazy("Choose at least one day."),
            ),
            # An end before the start is the next morning (a night shift); the
            # same time for both is no shift at all.
            models.CheckConstraint(
                condition=~Q(end_time=F("start_time")),
                name="rota_start_and_end_differ",
                violation_error_message=gettext_lazy(
                    "The end time must differ from the start time."
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_people__gte=1),
                name="rota_takes_someone",
                violation_error_message=gettext_lazy("The maximum must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(min_people__lte=F("max_people")),
                name="rota_min_not_above_max",
                violation_error_message=gettext_lazy("The minimum cannot be above the maximum."),
            ),
            *fits_columns("rota", "min_people", "max_people", maximum=MAX_SMALL_INT),
        ]

    def __str__(self) -> str:
        values = {
            "days": self.days_text,
            "start": f"{self.start_time:%H:%M}",
            "end": f"{self.end_time:%H:%M}",
            "role": self.role,
        }
        if self.end_time < self.start_time:
            # Translators: a weekly rota of a night shift: "Fridays 22:00–06:00 next day, Cook".
            return _("%(days)s %(start)s–%(end)s next day, %(role)s") % values
        # Translators: a weekly rota: "Mon, Wed, Fri 16:00–19:00, Cook".
        return _("%(days)s %(start)s–%(end)s, %(role)s") % values

    @property
    def days(self) -> list[int]:
        return weekdays_of(self.weekdays or 0)

    def runs_on(self, weekday: int) -> bool:
        return bool((self.weekdays or 0) & (1 << weekday))

    @property
    def days_text(self) -> str:
        """'Tuesdays' for one day, else compact: 'Mon, Wed, Fri', 'Mon–Fri', 'Daily'."""
        days = self.days
        if len(days) == 1:
            return str(WEEKDAYS_PLURAL[days[0]])
        return days_text(days)


class RotaException(models.Model):
    """A one-off change to a rota on one date: no shift that day, or other hours."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    skip = models.BooleanField(gettext_lazy("no shift that day"), default=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    max_people = models.PositiveSmallIntegerField(null=True, blank=True)
    # On the night the clocks go back a time can happen twice: which one the
    # lead chose for that day (0 the first, 1 the second; empty: not asked).
    start_fold = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(0, gettext_lazy("the first")), (1, gettext_lazy("the second"))],
    )
    end_fold = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(0, gettext_lazy("the first")), (1, gettext_lazy("the second"))],
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["rota", "date"],
                name="rota_exception_once_per_date",
                violation_error_message=gettext_lazy(
                    "This rota already has an exception on that date."
                ),
            ),
            *fits_columns("rota_exception", "max_people", maximum=MAX_SMALL_INT),
        ]

    def __str__(self) -> str:
        if self.skip:
            return _("%(rota)s on %(date)s: no shift") % {"rota": self.rota, "date": self.date}
        return _("%(rota)s on %(date)s: changed") % {"rota": self.rota, "date": self.date}


class RotaRegular(models.Model):
    """A person a lead has put on a rota: the rota signs them up on each shift it
    makes on their days, from a date until an optional one, as a lead adding them
    by hand would (the same checks; never past the maximum)."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="regulars")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rota_regularships"
    )
    # Which of the rota's days (bit n = weekday n); 0: every day the rota runs.
    weekdays = models.PositiveSmallIntegerField(gettext_lazy("days"), default=0)
    starts_on = models.DateField(gettext_lazy("from"))
    ends_on = models.DateField(gettext_lazy("until"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # Taken off the rota: kept, so the sign-ups it cancelled stay explained.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rota", "volunteer"],
                condition=Q(removed_at__isnull=True),
                name="rota_regular_once",
                violation_error_message=gettext_lazy(
                    "This person is already a regular on this rota."
                ),
            ),
            models.CheckConstraint(
                condition=Q(weekdays__lte=EVERY_DAY), name="rota_regular_days_are_weekdays"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="rota_regular_ends_after_it_starts",
                violation_error_message=gettext_lazy("The last day cannot be before the first."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(person)s on %(rota)s") % {"person": self.volunteer, "rota": self.rota}

    @property
    def days(self) -> list[int]:
        """The rota's days this person comes on."""
        days = self.rota.days
        return days if not self.weekdays else [d for d in days if self.weekdays & (1 << d)]

    @property
    def days_text(self) -> str:
        if not self.weekdays:
            return _("every day of the rota")
        # Their days may since have been taken off the rota.
        return days_text(self.days) or _("none of the rota's days now")

    def comes_on(self, day: date) -> bool:
        if day < self.starts_on or (self.ends_on is not None and day > self.ends_on):
            return False
        return not self.weekdays or bool(self.weekdays & (1 << day.weekday()))


class RegularSkip(models.Model):
    """A date of a rota a regular is not signed up on, and why: a lead took them
    off it (the rota never signs them up on it again), or the rota could not (full,
    not qualified, a fair rule: it tries again each time it makes its shifts)."""

    class Kind(models.TextChoices):
        TAKEN_OFF = "taken_off", gettext_lazy("Taken off by a lead")
        REFUSED = "refused", gettext_lazy("Could not be signed up")

    regular = models.ForeignKey(RotaRegular, on_delete=models.CASCADE, related_name="skips")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regular", "date"],
                name="regular_skip_once_per_date",
                violation_error_message=gettext_lazy("This date is already off for them."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(regular)s not on %(date)s: %(why)s") % {
            "regular": self.regular,
            "date": self.date,
            "why": self.get_kind_display(),
        }


class ShiftQuerySet(models.QuerySet):
    def at(self, site: Site) -> ShiftQuerySet:
        return self.filter(site=site)

    def published(self) -> ShiftQuerySet:
        return self.filter(is_published=True)

    def upcoming(self) -> ShiftQuerySet:
        return self.filter(starts_at__gt=timezone.now())

    def between(self, start: datetime, end: datetime) -> ShiftQuerySet:
        """Shifts that start in [start, end)."""
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def on_local_day(self, site: Site, day: date) -> ShiftQuerySet:
        start = datetime.combine(day, datetime.min.time(), tzinfo=site.tz)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=site.tz)
        return self.at(site).between(start, end)

    def needing_people(self) -> ShiftQuerySet:
        return self.filter(places_taken__lt=F("max_people"))

    def under_minimum(self) -> ShiftQuerySet:
        return self.filter(places_taken__lt=F("min_people"))

    def visible_to(self, user) -> ShiftQuerySet:
        """Published shifts at sites this person may see, and every shift of sites they lead."""
        from commonpot.permissions import is_coordinator, lead_site_ids

        if is_coordinator(user):
            return self.all()
        sites = Q(site__is_public=True, site__is_active=True)
        if user.is_authenticated:
            sites |= Q(site__memberships__user=user)
            return self.filter(
                (Q(is_published=True) & sites) | Q(site_id__in=lead_site_ids(user))
            ).distinct()
        return self.filter(Q(is_published=True) & sites)

    def with_stand_in_requests(self) -> ShiftQuerySet:
        return self.annotate(
            stand_ins_wanted=Exists(
                SignUp.objects.filter(
                    shift=OuterRef("pk"),
                    status=SignUp.Status.CONFIRMED,
                    stand_in_requested_at__isnull=False,
                )
            )
        )

    def with_links(self) -> ShiftQuerySet:
        """The linked meal (with its dishes' names) and transfer: one more query at most."""
        return self.select_related(
            "meal", "transfer__source", "transfer__destination", "transfer__item"
        ).prefetch_related("meal__recipes")

    def for_cards(self, user) -> ShiftQuerySet:
        """Everything a shift card shows, in a fixed number of queries.

        One query for the shifts (with site, its rules and role), one for what
        their roles require, one for the first names of who is going, one for
        this person's own sign-ups, and one for the dishes of linked meals when
        there are any. (volunteers.eligibility.with_requirements then says, in
        at most two more, whether this person meets what the roles require.)
        """
        qs = (
            self.select_related("site", "site__shift_policy", "role")
            .prefetch_related("role__required_qualifications")
            .with_links()
        )
        qs = qs.prefetch_related(
            Prefetch(
                "sign_ups",
                queryset=SignUp.objects.confirmed()
                .select_related("volunteer")
                .only(
                    "id",
                    "shift_id",
                    "guests",
                    "stand_in_requested_at",
                    "status",
                    "volunteer__id",
                    "volunteer__display_name",
                    "volunteer__first_name",
                    "volunteer__last_name",
                    "volunteer__username",
                )
                .order_by("created_at", "id"),
                to_attr="going",
            )
        )
        if user.is_authenticated:
            qs = qs.prefetch_related(
                Prefetch(
                    "sign_ups",
                    queryset=SignUp.objects.standing()
                    .filter(volunteer=user)
                    .with_waitlist_position(),
                    to_attr="mine",
                )
            )
        return qs


class Shift(models.Model):
    """People wanted at a site, for one role, from a start to an end."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="shifts")
    role = models.ForeignKey(ShiftRole, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    min_people = models.PositiveSmallIntegerField(gettext_lazy("minimum people"), default=1)
    max_people = models.PositiveSmallIntegerField(gettext_lazy("maximum people"), default=4)
    # Confirmed volunteers plus their guests; changed only under a row lock.
    places_taken = models.PositiveIntegerField(default=0, editable=False)
    what_to_bring = models.TextField(gettext_lazy("what to bring or wear"), blank=True)
    place = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy(
            "Where, when it is not at the site's own address: a hall, a car park, a street corner."
        ),
    )
    notes = models.TextField(blank=True)
    is_published = models.BooleanField(
        gettext_lazy("published"),
        default=True,
        help_text=gettext_lazy("Volunteers see and claim published shifts only."),
    )
    rota = models.ForeignKey(
        Rota, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    rota_date = models.DateField(null=True, blank=True, editable=False)
    # What the shift is for, when it is for one thing: the meal its cooks make, or
    # the transfer its driver moves. Both must be of this site (planning checks).
    meal = models.ForeignKey(
        "kitchen.MealService",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        help_text=gettext_lazy("The meal this shift cooks or serves."),
    )
    transfer = models.ForeignKey(
        "network.Transfer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="driver_shifts",
        help_text=gettext_lazy("For a driver: the transfer to or from this site that they move."),
    )
    run = models.ForeignKey(
        "network.Run",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="driver_shifts",
        help_text=gettext_lazy("For a driver: the pickup run from this site that they drive."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Grows by one each time a lead (or the rota) changes the shift, in the same
    # transaction as the change. A change notice is keyed by it, so a shift moved
    # back to a time it had before is still announced, and each move only once.
    change_seq = models.PositiveIntegerField(
        gettext_lazy("change number"), default=0, editable=False
    )

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["site", "starts_at"], name="shift_site_start"),
            models.Index(fields=["is_published", "starts_at"], name="shift_published_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_ends_after_it_starts",
                violation_error_message=gettext_lazy("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(max_people__gte=1),
                name="shift_takes_someone",
                violation_error_message=gettext_lazy("The maximum must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(min_people__lte=F("max_people")),
                name="shift_min_not_above_max",
                violation_error_message=gettext_lazy("The minimum cannot be above the maximum."),
            ),
            models.CheckConstraint(
                condition=Q(places_taken__lte=F("max_people")),
                name="shift_never_overfilled",
                violation_error_message=gettext_lazy("The shift is full."),
            ),
            *fits_columns("shift", "min_people", "max_people", maximum=MAX_SMALL_INT),
            *fits_columns("shift", "places_taken", maximum=MAX_INT),
            models.UniqueConstraint(
                fields=["rota", "rota_date"],
                condition=Q(rota__isnull=False),
                name="shift_once_per_rota_date",
            ),
        ]

    def __str__(self) -> str:
        start = self.local_start
        # Translators: a shift: "Cook at Riverside Kitchen, Tue 14 May, 09:00–12:00".
        return _("%(role)s at %(site)s, %(day)s, %(time)s") % {
            "role": self.role,
            "site": self.site,
            "day": day(start),
            "time": clock_span(start, self.local_end),
        }

    @property
    def local_start(self) -> datetime:
        return self.site.local(self.starts_at)

    @property
    def local_end(self) -> datetime:
        return self.site.local(self.ends_at)

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def places_left(self) -> int:
        return max(self.max_people - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_taken >= self.max_people

    @property
    def is_under_minimum(self) -> bool:
        return self.places_taken < self.min_people

    @property
    def hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def policy(self) -> ShiftPolicy:
        return ShiftPolicy.for_site(self.site)

    @property
    def sign_up_opens_at(self) -> datetime:
        return self.starts_at - self.policy.window

    @property
    def is_open_for_sign_up(self) -> bool:
        now = timezone.now()
        return self.is_published and self.sign_up_opens_at <= now < self.starts_at

    @property
    def cancellation_cutoff(self) -> datetime:
        return self.starts_at - self.policy.cutoff

    @property
    def is_inside_cutoff(self) -> bool:
        """Too close to the start to cancel freely: a claim now can only be handed on."""
        return timezone.now() >= self.cancellation_cutoff

    @property
    def attendance_last_day(self) -> date:
        """The last day (the site's calendar) attendance may be recorded or corrected."""
        return self.local_end.date() + timedelta(days=self.policy.attendance_days)

    def attendance_open_on(self, day: date) -> bool:
        """From the day the shift starts to the end of the site's correction window."""
        return self.local_date <= day <= self.attendance_last_day

    # What a card shows, from `ShiftQuerySet.for_cards` (prefetched `going` and `mine`).

    @property
    def my_sign_up(self) -> SignUp | None:
        mine = getattr(self, "mine", None)
        return mine[0] if mine else None

    @property
    def going_names(self) -> list[str]:
        return [s.volunteer.first_name_only for s in getattr(self, "going", [])]

    @property
    def going_guests(self) -> int:
        return sum(s.guests for s in getattr(self, "going", []))

    @property
    def stand_in_offer(self) -> SignUp | None:
        """The first place on this shift whose holder is looking for a stand-in."""
        return next(
            (s for s in getattr(self, "going", []) if s.stand_in_requested_at is not None), None
        )

    def roster(self) -> SignUpQuerySet:
        """Confirmed sign-ups with their volunteers, in the order they signed up."""
        return self.sign_ups.confirmed().select_related("volunteer").order_by("created_at", "id")


class SignUpQuerySet(models.QuerySet):
    def active(self) -> SignUpQuerySet:
        return self.filter(status__in=[SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED])

    def standing(self) -> SignUpQuerySet:
        """Everything not cancelled: places, waitlist entries and claims waiting for approval."""
        return self.exclude(status=SignUp.Status.CANCELLED)

    def pending(self) -> SignUpQuerySet:
        """Claims waiting for a lead's approval (they hold no place)."""
        return self.filter(status=SignUp.Status.PENDING)

    def confirmed(self) -> SignUpQuerySet:
        return self.filter(status=SignUp.Status.CONFIRMED)

    def waitlisted(self) -> SignUpQuerySet:
        return self.filter(status=SignUp.Status.WAITLISTED)

    def in_line(self) -> SignUpQuerySet:
        """The waitlist, first in line first."""
        return self.waitlisted().order_by("created_at", "id")

    def of(self, user) -> SignUpQuerySet:
        return self.filter(volunteer=user)

    def upcoming(self) -> SignUpQuerySet:
        return self.filter(shift__ends_at__gt=timezone.now())

    def past(self) -> SignUpQuerySet:
        return self.filter(shift__ends_at__lte=timezone.now())

    def overlapping(self, start: datetime, end: datetime) -> SignUpQuerySet:
        return self.filter(shift__starts_at__lt=end, shift__ends_at__gt=start)

    def with_waitlist_position(self) -> SignUpQuerySet:
        """Annotate `waitlist_position` (1 = next in line) on waitlisted sign-ups."""
        ahead = (
            SignUp.objects.waitlisted()
            .filter(shift=OuterRef("shift"))
            .filter(
                Q(created_at__lt=OuterRef("created_at"))
                | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
            )
            .order_by()
            .values("shift")
            .annotate(n=Count("id"))
            .values("n")
        )
        return self.annotate(waitlist_position=Coalesce(Subquery(ahead), 0) + 1)

    def with_first_shift_flag(self) -> SignUpQuerySet:
        """Annotate `is_first_shift`: no earlier confirmed shift anywhere in the network."""
        earlier = SignUp.objects.filter(
            volunteer=OuterRef("volunteer"),
            status=SignUp.Status.CONFIRMED,
            shift__starts_at__lt=OuterRef("shift__starts_at"),
        ).exclude(attendance__in=[SignUp.Attendance.MISSED, SignUp.Attendance.EXCUSED])
        return self.annotate(has_served_before=Exists(earlier))

    def record(self):
        """Attended, missed and excused counts and hours credited, as one dict."""
        return self.confirmed().aggregate(
            attended=Count("id", filter=Q(attendance=SignUp.Attendance.ATTENDED)),
            missed=Count("id", filter=Q(attendance=SignUp.Attendance.MISSED)),
            excused=Count("id", filter=Q(attendance=SignUp.Attendance.EXCUSED)),
            hours=Coalesce(
                models.Sum("hours_credited"),
                Decimal("0"),
                output_field=models.DecimalField(max_digits=8, decimal_places=2),
            ),
        )


class SignUp(models.Model):
    """A volunteer's place on a shift (confirmed), in line for one (waitlisted), or
    given up (cancelled, kept as history)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", gettext_lazy("Confirmed")
        WAITLISTED = "waitlisted", gettext_lazy("On the waitlist")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")
        PENDING = "pending", gettext_lazy("Waiting for a lead's approval")

    class Attendance(models.TextChoices):
        ATTENDED = "attended", gettext_lazy("Attended")
        MISSED = "missed", gettext_lazy("Missed")
        EXCUSED = "excused", gettext_lazy("Excused")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="sign_ups")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_sign_ups"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    guests = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(MAX_GUESTS)])
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When the volunteer moved up from the waitlist."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_reason = models.CharField(max_length=200, blank=True)
    took_over_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stand_in_requested_at = models.DateTimeField(null=True, blank=True)
    # The volunteer answered a reminder to say they are coming (a text's YES).
    coming_confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    # Why a claim waits for a lead (the site's no-show rule), or why the waitlist
    # passed someone over: said to the volunteer as it is.
    approval_reason = models.CharField(max_length=300, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    hours_credited = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Made by a rota for one of its regulars (not claimed by the person themselves).
    regular = models.ForeignKey(
        RotaRegular,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="sign_ups",
    )

    objects = SignUpQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["shift", "status"], name="signup_shift_status"),
            models.Index(fields=["volunteer", "status"], name="signup_volunteer_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=~Q(status="cancelled"),
                name="signup_once_per_shift",
                violation_error_message=gettext_lazy("You are already on this shift."),
            ),
            models.CheckConstraint(
                condition=Q(guests__lte=MAX_GUESTS),
                name="signup_guests_limited",
            ),
            models.CheckConstraint(
                condition=Q(hours_credited__isnull=True) | Q(hours_credited__gte=0),
                name="signup_hours_not_negative",
            ),
            *fits_columns("signup", "hours_credited", max_digits=5, decimal_places=2),
        ]

    def __str__(self) -> str:
        return _("%(person)s on %(shift)s (%(status)s)") % {
            "person": self.volunteer,
            "shift": self.shift,
            "status": self.get_status_display(),
        }

    @property
    def places(self) -> int:
        return 1 + self.guests

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def wants_stand_in(self) -> bool:
        return self.is_confirmed and self.stand_in_requested_at is not None

    def may_cancel_freely(self, now: datetime | None = None) -> bool:
        """Before the site's cutoff anyone may cancel; after it they look for a stand-in.

        Leaving a waitlist (or withdrawing a claim a lead has not approved yet) is
        always allowed, and so is declining a place that was
        given from the waitlist after the cutoff had passed: the volunteer did not
        choose to come at such short notice.
        """
        now = now or timezone.now()
        if now >= self.shift.starts_at:
            return False
        if self.is_waitlisted or self.is_pending:
            return True
        cutoff = self.shift.cancellation_cutoff
        if self.promoted_at is not None and self.promoted_at >= cutoff:
            return True
        return now < cutoff


class AttendanceChange(models.Model):
    """Each time a lead records or corrects a sign-up's attendance: what they set,
    who and when. The sign-up holds the current values; this keeps the history."""

    sign_up = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="attendance_changes")
    attendance = models.CharField(max_length=10, choices=SignUp.Attendance.choices)
    hours_credited = models.DecimalField(max_digits=5, decimal_places=2)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    # The check-in form's one-time token (`commonpot.idempotency`): a phone that
    # queued the form offline may send it twice; the second finds this row. Empty
    # for check-ins sent without one (older pages, the QR check-in).
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return _("%(attendance)s for %(sign_up)s at %(when)s") % {
            "attendance": self.get_attendance_display(),
            "sign_up": self.sign_up_id,
            "when": self.changed_at,
        }


class WalkIn(models.Model):
    """Someone who came to help without an account, recorded by a lead by name.

    Their places on shifts belong to `person`, an account of their own that
    cannot log in (no password, no email, no reminders), so they count in
    rosters, hours and reports like anyone else. When they accept an
    invitation, their sign-ups move to the account that accepted it
    (`account`) and `person` is closed.

    The phone and email they gave are kept here, not on `person`, and are shown
    only to the site's leads and coordinators; `may_contact` records whether
    they agreed to be contacted (asked, and no unless they said yes).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="walk_ins")
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="walk_in"
    )
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    may_contact = models.BooleanField(gettext_lazy("agreed to be contacted"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    invitation = models.ForeignKey(
        "commonpot.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="walk_ins",
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("The account that took over their hours."),
    )
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return _("%(name)s (walk-in at %(site)s)") % {"name": self.name, "site": self.site}


class LeadMessage(models.Model):
    """An email a lead sent to everyone on a shift or on a day (kept as a record)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="lead_messages")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shift = models.ForeignKey(
        Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    day = models.DateField(null=True, blank=True)
    subject = models.CharField(max_length=150)
    body = models.TextField()
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.site})"


# --- Hours certificates and watches (volunteers/certificates.py, volunteers/watches.py) ---

# 16 characters from 32 that cannot be mistaken for one another when read off
# paper (no 0/O, 1/I/L): 80 random bits, printed in groups of four.
CERTIFICATE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CERTIFICATE_CODE_LENGTH = 16


def new_certificate_code() -> str:
    return "".join(
        secrets.choice(CERTIFICATE_ALPHABET) for _position in range(CERTIFICATE_CODE_LENGTH)
    )


class HoursCertificate(models.Model):
    """A volunteer's hours at one site over a period, as they stood when issued.

    Everything the certificate states is copied here when it is issued, so the
    paper and its public check keep saying the same thing even if hours are
    corrected, a lead leaves or the volunteer's name changes afterwards. The
    code is random (see `new_certificate_code`), not derived from anything a
    stranger could know, so certificates cannot be found by guessing.
    """

    code = models.CharField(max_length=32, unique=True, default=new_certificate_code)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hours_certificates"
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, related_name="hours_certificates"
    )
    volunteer_name = models.CharField(max_length=150)
    site_name = models.CharField(max_length=200)
    signed_off_by = models.CharField(
        max_length=200,
        help_text=gettext_lazy("The lead who signs for the site, or the site's name."),
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    hours = models.DecimalField(max_digits=8, decimal_places=2)
    issued_on = models.DateField(help_text=gettext_lazy("The site's date when it was issued."))
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="certificate_period_in_order"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="certificate_has_hours"),
        ]

    def __str__(self) -> str:
        return _("Hours certificate %(code)s (%(site)s)") % {
            "code": self.printed_code,
            "site": self.site_name,
        }

    @property
    def printed_code(self) -> str:
        """The code as printed and typed: XXXX-XXXX-XXXX-XXXX."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class ShiftWatch(models.Model):
    """A volunteer's wish to hear when a shift at a site (of one role, or any) is
    still short of its minimum `hours_before` its start (volunteers/watches.py)."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_watches"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="shift_watches")
    role = models.ForeignKey(
        ShiftRole,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watches",
        help_text=gettext_lazy("Leave empty for any role."),
    )
    hours_before = models.PositiveSmallIntegerField(default=24)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site__name", "role__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "site", "role"],
                condition=Q(role__isnull=False),
                name="watch_once_per_role",
                violation_error_message=gettext_lazy("You already watch this role at this site."),
            ),
            models.UniqueConstraint(
                fields=["volunteer", "site"],
                condition=Q(role__isnull=True),
                name="watch_once_per_site",
                violation_error_message=gettext_lazy("You already watch every role at this site."),
            ),
            models.CheckConstraint(
                condition=Q(hours_before__gte=1, hours_before__lte=168),
                name="watch_hours_in_range",
            ),
        ]

    def __str__(self) -> str:
        if self.role_id:
            return _("%(person)s watches %(role)s at %(site)s") % {
                "person": self.volunteer,
                "role": self.role.name,
                "site": self.site,
            }
        return _("%(person)s watches any role at %(site)s") % {
            "person": self.volunteer,
            "site": self.site,
        }


class LeadNote(models.Model):
    """What a site's leads keep in mind about one volunteer ("prefers mornings",
    "no heavy lifting"): one note per site and person, seen and written by that
    site's leads and coordinators only, never by the volunteer or other sites."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(max_length=2000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "volunteer"], name="lead_note_one_per_site")
        ]

    def __str__(self) -> str:
        return _("Leads' note on %(person)s at %(site)s") % {
            "person": self.volunteer,
            "site": self.site,
        }

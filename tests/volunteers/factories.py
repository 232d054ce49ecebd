"""Test data for the volunteers app."""

from datetime import datetime, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories import MembershipFactory, SiteFactory, UserFactory
from volunteers.models import (
    Qualification,
    QualificationKind,
    Rota,
    Shift,
    ShiftRole,
    SignUp,
    WalkIn,
)


class ShiftRoleFactory(DjangoModelFactory):
    class Meta:
        model = ShiftRole
        django_get_or_create = ("site", "name")

    site = factory.SubFactory(SiteFactory)
    name = "Cook"


class ShiftFactory(DjangoModelFactory):
    """A published shift in three days, 10:00-13:00 UTC-ish, four places."""

    class Meta:
        model = Shift

    site = factory.SubFactory(SiteFactory)
    role = factory.SubFactory(ShiftRoleFactory, site=factory.SelfAttribute("..site"))
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=3))
    min_people = 2
    max_people = 4
    is_published = True


class SignUpFactory(DjangoModelFactory):
    """A confirmed sign-up made directly (tests of services use the services)."""

    class Meta:
        model = SignUp

    shift = factory.SubFactory(ShiftFactory)
    volunteer = factory.SubFactory(UserFactory)
    status = SignUp.Status.CONFIRMED


class QualificationKindFactory(DjangoModelFactory):
    class Meta:
        model = QualificationKind
        django_get_or_create = ("name",)

    name = "Food hygiene certificate"


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = Qualification

    volunteer = factory.SubFactory(UserFactory)
    kind = factory.SubFactory(QualificationKindFactory)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    verified_at = factory.LazyFunction(timezone.now)


class RotaFactory(DjangoModelFactory):
    class Meta:
        model = Rota

    site = factory.SubFactory(SiteFactory)
    role = factory.SubFactory(ShiftRoleFactory, site=factory.SelfAttribute("..site"))
    weekdays = 1 << Rota.Weekday.TUESDAY
    start_time = time(16, 0)
    end_time = time(19, 0)
    min_people = 2
    max_people = 4
    weeks_ahead = 4
    starts_on = factory.LazyFunction(timezone.localdate)


class WalkInFactory(DjangoModelFactory):
    """A walk-in's record, with the account that holds their sign-ups (no log-in)."""

    class Meta:
        model = WalkIn

    site = factory.SubFactory(SiteFactory)
    name = "Sam Walker"
    person = factory.SubFactory(
        UserFactory,
        display_name=factory.SelfAttribute("..name"),
        email="",
        phone="",
        username=factory.Sequence(lambda n: f"walk-in-{n}"),
    )
    phone = "+447700900555"
    email = "sam.walker@example.org"


def shift_today(site, name="Cook", people=3, hour=0):
    """A shift of `site` today from hour:05 for two hours (site's clock), with
    `people` members of the site signed up ("<name> helper 1", ...)."""
    day = site.today()
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site, name=name),
        starts_at=datetime.combine(day, time(hour, 5), tzinfo=site.tz),
        ends_at=datetime.combine(day, time(hour + 2, 5), tzinfo=site.tz),
        places_taken=people,
        max_people=max(people, 4),
    )
    for n in range(people):
        person = UserFactory(display_name=f"{name} helper {n + 1}")
        MembershipFactory(user=person, site=site)
        SignUpFactory(shift=shift, volunteer=person)
    return shift

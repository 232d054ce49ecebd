"""Fixtures for reminders and shift sheets: shifts at the lead's site, soon and later,
and a way to put people on them through the volunteers services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from commonpot.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import services


def hours_from_now(hours: float):
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def cook(site):
    return ShiftRoleFactory(site=site, name="Cook")


@pytest.fixture
def make_shift(site, cook):
    """make_shift(hours=20): a published shift at the lead's site starting that many
    hours from now, three hours long, for 1 to 4 people."""

    def make(hours: float = 20, **kwargs):
        starts_at = kwargs.pop("starts_at", None) or hours_from_now(hours)
        kwargs.setdefault("site", site)
        kwargs.setdefault("role", cook if kwargs["site"] == site else None)
        if kwargs["role"] is None:
            kwargs["role"] = ShiftRoleFactory(site=kwargs["site"], name="Cook")
        return ShiftFactory(
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=kwargs.pop("length", 3)),
            **{"min_people": 1, "max_people": 4, **kwargs},
        )

    return make


@pytest.fixture
def make_volunteer(site):
    """More volunteers at `site`: make_volunteer("Amira Haddad", phone=...)."""

    def make(name: str = "", *, at=None, **kwargs):
        user = UserFactory(**({"display_name": name} if name else {}), **kwargs)
        MembershipFactory(user=user, site=at or site, role=Membership.Role.VOLUNTEER)
        return user

    return make


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a job as the worker would: decisions commit, then the outbox sends."""
    from volunteers import reminders

    def run_job(job=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return (job or reminders.send_due_reminders)(**kwargs)

    return run_job


def claim(shift, person, guests: int = 0):
    return services.claim_shift(shift_id=shift.pk, volunteer=person, guests=guests)


@pytest.fixture
def twilio(settings, monkeypatch):
    """Texts go to a local server that speaks Twilio's API (tests/sms_gateways.py)."""
    from commonpot import sms
    from tests.sms_gateways import FakeTwilio

    fake = FakeTwilio().start()
    settings.SMS_URL = fake.sms_url
    monkeypatch.setattr(sms, "TIMEOUT", 0.5)
    yield fake
    fake.stop()

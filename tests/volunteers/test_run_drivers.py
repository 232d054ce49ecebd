"""A pickup run is driven on a shift for a driver role: the volunteers app's claim
rules (a driving licence) decide who may drive it, and the confirmed driver gets
the run's phone page and records its pickups."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commonpot.errors import DomainError
from pantry.network import services
from pantry.network.models import StopLine
from pantry.network.services import runs
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory
from tests.network.factories import bread, offer, stock
from tests.volunteers.factories import (
    QualificationFactory,
    QualificationKindFactory,
    ShiftFactory,
    ShiftRoleFactory,
)
from volunteers import planning
from volunteers import services as volunteering

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_and_shift(site, other_site, lead, other_lead, coordinator):
    for s, lat in ((site, "51.45000"), (other_site, "51.50000")):
        s.latitude, s.longitude = Decimal(lat), Decimal("-2.60000")
        s.save()
    item = bread()
    lot = stock(other_site, item, "40000", by=other_lead)
    o = offer(other_site, lot, by=other_lead)
    t = services.claim_offer(offer_id=o.pk, site=site, by=lead)
    services.accept_transfer(transfer_id=t.pk, by=other_lead)
    now = timezone.now()
    run = runs.plan_run(
        site=site,
        by=lead,
        day=site.today(),
        starts_at=now,
        ends_at=now + timedelta(hours=5),
        capacity_kg="300",
    )
    stop = runs.add_stop(
        run_id=run.pk,
        by=lead,
        kind="pickup",
        site=other_site,
        transfers=[t],
        window_from=now,
        window_until=now + timedelta(hours=4),
    )
    licence = QualificationKindFactory(name="Driving licence")
    role = ShiftRoleFactory(site=site, name="Driver")
    role.required_qualifications.add(licence)
    shift = ShiftFactory(
        site=site,
        role=role,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        min_people=1,
        max_people=1,
    )
    planning.update_shift(shift_id=shift.pk, by=lead, run=run)
    return run, stop, shift, licence, o


def test_only_a_volunteer_with_a_licence_drives_and_then_records_the_pickup(site, run_and_shift):
    run, stop, shift, licence, o = run_and_shift
    walker = UserFactory(username="wal")
    MembershipFactory(user=walker, site=site, role="volunteer")
    with pytest.raises(DomainError):
        volunteering.claim_shift(shift_id=shift.pk, volunteer=walker)
    assert client_for(walker).get(f"/network/runs/{run.pk}/drive/").status_code == 403

    driver = UserFactory(username="dee")
    MembershipFactory(user=driver, site=site, role="volunteer")
    QualificationFactory(volunteer=driver, kind=licence)
    volunteering.claim_shift(shift_id=shift.pk, volunteer=driver)
    client = client_for(driver)
    page = client.get(f"/network/runs/{run.pk}/drive/")
    assert page.status_code == 200
    assert "Eastside Food Bank" in page.content.decode()
    line = StopLine.objects.get(stop=stop)
    response = client.post(f"/network/stop-lines/{line.pk}/pickup/", {"taken": "30", "unit": "kg"})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.remaining == Decimal("10000")  # the 10 kg left behind is back on offer


def test_a_run_of_another_site_cannot_be_linked(other_site, other_lead, run_and_shift):
    run, *_ = run_and_shift
    role = ShiftRoleFactory(site=other_site, name="Driver")
    shift = ShiftFactory(site=other_site, role=role)
    with pytest.raises(DomainError, match="that run starts from another site"):
        planning.update_shift(shift_id=shift.pk, by=other_lead, run=run)

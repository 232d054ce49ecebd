"""Every volunteers URL x every actor -> the status they get (see tests/authz.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.authz import Row, check_matrix, everyone, lead_only, logged_in, public
from tests.volunteers.factories import (
    QualificationFactory,
    RotaFactory,
    ShiftFactory,
    SignUpFactory,
    WalkInFactory,
)
from volunteers.models import (
    HoursCertificate,
    RotaException,
    RotaRegular,
    ShiftWatch,
    VolunteerProfile,
)

# Owner-only actions on the volunteer's own sign-up: everyone else gets a 404.
OWN = everyone(404, volunteer=302, anonymous=302)
# Lead POSTs that redirect back to the page they came from.
LEAD_POST = lead_only(coordinator=302, lead=302)

ROWS = [
    Row("GET", "volunteers:board", expect=public()),
    Row("GET", "volunteers:board_sites", data={"site": "river"}, expect=public()),
    Row("GET", "volunteers:shift", {"pk": "shift"}, expect=public()),
    Row(
        "GET", "volunteers:shift", {"pk": "draft"}, expect=everyone(404, coordinator=200, lead=200)
    ),
    Row("GET", "volunteers:shift", {"pk": "private_shift"}, expect=everyone(404, coordinator=200)),
    Row("POST", "volunteers:claim", {"pk": "open"}, expect=logged_in(302)),
    Row(
        "POST",
        "volunteers:claim",
        {"pk": "private_shift"},
        expect=logged_in(404, coordinator=302),
    ),
    # The first to take the offered place gets it; later ones are told it is gone.
    Row(
        "POST",
        "volunteers:take_over",
        {"sign_up_id": "offer"},
        expect=logged_in(400, coordinator=302),
    ),
    Row("GET", "volunteers:my_shifts", expect=logged_in()),
    # Check-in by code: the page to scan or type it (a bad code is a 400 with the reason).
    Row("GET", "volunteers:self_check_in", expect=logged_in()),
    Row("POST", "volunteers:self_check_in", data={"code": "s1.2.3"}, expect=logged_in(400)),
    Row("POST", "volunteers:stand_in", {"sign_up_id": "mine"}, expect=OWN),
    Row("POST", "volunteers:stand_in_withdraw", {"sign_up_id": "mine"}, expect=OWN),
    Row("POST", "volunteers:cancel", {"sign_up_id": "mine"}, expect=OWN),
    Row("GET", "volunteers:qualifications", expect=logged_in()),
    Row("POST", "volunteers:qualification_remove", {"pk": "qualification"}, expect=OWN),
    Row("GET", "volunteers:feed", {"token": "token"}, expect=public()),
    Row("GET", "volunteers:feed", {"token": "not-a-token"}, expect=everyone(404)),
    # After the feed rows: it changes the volunteer's secret address.
    Row("POST", "volunteers:calendar_reset", expect=logged_in(302)),
    Row("GET", "volunteers:certificates", expect=logged_in()),
    # Only its holder downloads a certificate; to anyone else it does not exist.
    Row(
        "GET",
        "volunteers:certificate_pdf",
        {"code": "certificate"},
        expect=everyone(404, volunteer=200, anonymous=302),
    ),
    Row("GET", "volunteers:certificate_lookup", expect=public()),
    Row("GET", "volunteers:certificate_check", {"code": "certificate"}, expect=public()),
    Row("GET", "volunteers:certificate_check", {"code": "ABCDEFGHJKMNPQRS"}, expect=everyone(404)),
    Row("GET", "volunteers:watches", expect=logged_in()),
    Row("POST", "volunteers:watch_stop", {"pk": "watch"}, expect=OWN),
    Row("GET", "volunteers:site_feed", {"slug": "site"}, expect=public()),
    Row("GET", "volunteers:site_feed", {"slug": "private"}, expect=everyone(404)),
    # Leads' pages.
    Row("GET", "volunteers:site_shifts", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:shift_create", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:policy", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:roster", {"slug": "site", "pk": "shift"}, expect=lead_only()),
    Row("GET", "volunteers:roster_code", {"slug": "site", "pk": "shift"}, expect=lead_only()),
    Row("GET", "volunteers:people_suggested", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:kiosk", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:shift_edit", {"slug": "site", "pk": "shift"}, expect=lead_only()),
    # Has people on it, so it is refused and the lead is sent back to the roster.
    Row("POST", "volunteers:shift_delete", {"slug": "site", "pk": "shift"}, expect=LEAD_POST),
    Row("POST", "volunteers:shift_cancel", {"slug": "site", "pk": "shift"}, expect=LEAD_POST),
    # A claim link works for whoever holds it (it names its person); a made-up one for nobody.
    Row("GET", "volunteers:claim_link", {"token": "not-a-signed-link"}, expect=everyone(404)),
    Row("POST", "volunteers:claim_link", {"token": "not-a-signed-link"}, expect=everyone(404)),
    # Nobody chosen: the form comes back with its errors.
    Row(
        "POST",
        "volunteers:roster_add",
        {"slug": "site", "pk": "shift"},
        expect=lead_only(coordinator=400, lead=400),
    ),
    # No name given: the walk-in form comes back with its error.
    Row(
        "POST",
        "volunteers:walk_in_add",
        {"slug": "site", "pk": "shift"},
        expect=lead_only(coordinator=400, lead=400),
    ),
    Row(
        "POST",
        "volunteers:walk_in_add",
        {"slug": "site", "pk": "other_shift"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    Row(
        "POST",
        "volunteers:walk_in_add",
        {"slug": "other", "pk": "other_shift"},
        expect=lead_only(coordinator=400, lead=403, other_lead=400),
    ),
    # No address given: the invitation form comes back with its error.
    Row(
        "POST",
        "volunteers:walk_in_invite",
        {"slug": "site", "user_id": "walk_in"},
        expect=lead_only(coordinator=400, lead=400),
    ),
    Row(
        "POST",
        "volunteers:walk_in_invite",
        {"slug": "other", "user_id": "walk_in"},
        expect=lead_only(coordinator=404, lead=403, other_lead=404),
    ),
    # No reason given: refused with a message, nothing removed.
    Row(
        "POST",
        "volunteers:roster_remove",
        {"slug": "site", "pk": "shift", "sign_up_id": "other_sign_up"},
        expect=LEAD_POST,
    ),
    # Not waiting for approval: refused with a message, nothing changed.
    Row(
        "POST",
        "volunteers:approve_claim",
        {"slug": "site", "pk": "shift", "sign_up_id": "other_sign_up"},
        expect=LEAD_POST,
    ),
    Row(
        "POST",
        "volunteers:decline_claim",
        {"slug": "site", "pk": "shift", "sign_up_id": "other_sign_up"},
        expect=LEAD_POST,
    ),
    Row(
        "POST",
        "volunteers:check_in",
        {"slug": "site", "pk": "shift", "sign_up_id": "other_sign_up"},
        expect=LEAD_POST,
        data={"attendance": "attended"},
    ),
    # The demo shift is not today: refused with a message and sent back to the roster.
    Row("POST", "volunteers:everyone_attended", {"slug": "site", "pk": "shift"}, expect=LEAD_POST),
    Row("GET", "volunteers:message_shift", {"slug": "site", "pk": "shift"}, expect=lead_only()),
    Row("GET", "volunteers:day", {"slug": "site", "day": "day"}, expect=lead_only()),
    Row(
        "GET",
        "volunteers:day",
        {"slug": "other", "day": "day"},
        expect=lead_only(lead=403, other_lead=200),
    ),
    Row("GET", "volunteers:message_day", {"slug": "site", "day": "day"}, expect=lead_only()),
    Row("GET", "volunteers:copy_day", {"slug": "site", "day": "day"}, expect=lead_only()),
    Row("GET", "volunteers:roles", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:role_edit", {"slug": "site", "pk": "role"}, expect=lead_only()),
    Row("GET", "volunteers:rotas", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:rota", {"slug": "site", "pk": "rota"}, expect=lead_only()),
    Row("POST", "volunteers:rota_generate", {"slug": "site", "pk": "rota"}, expect=LEAD_POST),
    Row(
        "POST",
        "volunteers:rota_exception_add",
        {"slug": "site", "pk": "rota"},
        expect=lead_only(coordinator=400, lead=400),
    ),
    # The coordinator removes it; it is gone when the lead tries.
    Row(
        "POST",
        "volunteers:rota_exception_remove",
        {"slug": "site", "pk": "rota", "exception_id": "exception"},
        expect=lead_only(coordinator=302, lead=404),
    ),
    # Nobody chosen: the forms come back with their errors.
    Row(
        "POST",
        "volunteers:rota_regular_add",
        {"slug": "site", "pk": "rota"},
        expect=lead_only(coordinator=400, lead=400),
    ),
    Row(
        "POST",
        "volunteers:rota_regular_take_off",
        {"slug": "site", "pk": "rota"},
        expect=lead_only(coordinator=400, lead=400),
    ),
    # The coordinator takes them off the rota; they are gone when the lead tries.
    Row(
        "POST",
        "volunteers:rota_regular_remove",
        {"slug": "site", "pk": "rota", "regular_id": "regular"},
        expect=lead_only(coordinator=302, lead=404),
    ),
    Row("GET", "volunteers:people", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:record", {"slug": "site", "user_id": "volunteer"}, expect=lead_only()),
    Row(
        "POST",
        "volunteers:record_note",
        {"slug": "site", "user_id": "volunteer"},
        expect=LEAD_POST,
    ),
    Row(
        "POST",
        "volunteers:verify",
        {"slug": "site", "user_id": "volunteer", "qualification_id": "to_verify"},
        expect=LEAD_POST,
    ),
    # Cross-site: another site's shift through this site's address is not found,
    # and this site's lead is refused at the other site.
    Row(
        "GET",
        "volunteers:roster",
        {"slug": "site", "pk": "other_shift"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    Row(
        "GET",
        "volunteers:roster",
        {"slug": "other", "pk": "other_shift"},
        expect=lead_only(lead=403, other_lead=200),
    ),
    Row(
        "GET",
        "volunteers:site_shifts",
        {"slug": "private"},
        expect=lead_only(lead=404, other_lead=404, volunteer=404, outsider=404),
    ),
]


@pytest.fixture
def volunteers_names(site, other_site, private_site, volunteer):
    """The shifts, sign-ups, rota and qualifications the rows' kwargs name."""
    shift = ShiftFactory(site=site, role__name="Cook")
    open_shift = ShiftFactory(
        site=site,
        role=shift.role,
        max_people=10,
        starts_at=shift.starts_at + timedelta(days=1),
        ends_at=shift.ends_at + timedelta(days=1),
    )
    draft = ShiftFactory(site=site, role=shift.role, is_published=False)
    other_shift = ShiftFactory(site=other_site, role__name="Driver")
    private_shift = ShiftFactory(site=private_site, role__name="Cook")
    soon = timezone.now() + timedelta(hours=6)
    offered = ShiftFactory(
        site=site, role=shift.role, starts_at=soon, ends_at=soon + timedelta(hours=1)
    )
    offer = SignUpFactory(shift=offered, stand_in_requested_at=timezone.now())
    mine = SignUpFactory(shift=shift, volunteer=volunteer)
    other_sign_up = SignUpFactory(shift=shift)
    shift.places_taken = 2
    shift.save()
    offered.places_taken = 1
    offered.save()
    rota = RotaFactory(site=site, role=shift.role)
    exception = RotaException.objects.create(rota=rota, date=shift.local_date)
    regular = RotaRegular.objects.create(rota=rota, volunteer=volunteer, starts_on=site.today())
    qualification = QualificationFactory(volunteer=volunteer, verified_at=None)
    to_verify = QualificationFactory(
        volunteer=volunteer, verified_at=None, kind__name="Driving licence"
    )
    profile = VolunteerProfile.objects.create(user=volunteer)
    certificate = HoursCertificate.objects.create(
        volunteer=volunteer,
        site=site,
        volunteer_name=volunteer.name,
        site_name=site.name,
        signed_off_by=site.name,
        starts_on=shift.local_date - timedelta(days=30),
        ends_on=shift.local_date - timedelta(days=3),
        hours=3,
        issued_on=shift.local_date - timedelta(days=3),
    )
    watch = ShiftWatch.objects.create(volunteer=volunteer, site=site)
    walk_in = WalkInFactory(site=site)
    SignUpFactory(shift=shift, volunteer=walk_in.person)
    return {
        "walk_in": walk_in.person.pk,
        "site": site.slug,
        "other": other_site.slug,
        "private": private_site.slug,
        "shift": shift.pk,
        "open": open_shift.pk,
        "draft": draft.pk,
        "other_shift": other_shift.pk,
        "private_shift": private_shift.pk,
        "offer": offer.pk,
        "mine": mine.pk,
        "other_sign_up": other_sign_up.pk,
        "rota": rota.pk,
        "exception": exception.pk,
        "regular": regular.pk,
        "role": shift.role.pk,
        "qualification": qualification.pk,
        "to_verify": to_verify.pk,
        "volunteer": volunteer.pk,
        "token": profile.calendar_token,
        "certificate": certificate.code,
        "watch": watch.pk,
        "day": shift.local_date.isoformat(),
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_every_volunteers_url_answers_each_actor_as_expected(actors, volunteers_names):
    def resolve(kwargs):
        return {k: volunteers_names.get(v, v) for k, v in kwargs.items()}

    check_matrix(ROWS, actors, resolve)

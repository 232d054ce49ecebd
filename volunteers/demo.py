"""Demo shifts for `manage.py seed_demo` (safe to run twice).

Each demo site gets roles, a weekly rota and one-off shifts over the next two
weeks, with some sign-ups; Riverside has a full shift with a waitlist, and the
demo `volunteer` holds a shift about 23 hours away (inside the 24-hour cutoff,
so My shifts offers "Find a stand-in" rather than "Cancel").

Once the kitchen and the network have made theirs, a cook shift at Riverside is
linked to the kitchen's community dinner for 80, and, when Harbour Camp's bread
has been claimed (a transfer exists), a driver shift at the camp to that transfer.

Last, what people do beyond claiming (`seed_people_features`): yesterday's lunch
at Riverside with Vera checked in and a walk-in recorded (and invited to an
account), Vera's hours certificate, invitations waiting at two sites, Vera's
watch on short shifts and her emergency contact, a leads' note on Amira, and
the weekdays and roles some volunteers gave (for "Who could fill this").
"""

from __future__ import annotations

import contextlib
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from commonpot.demo import DemoNetwork
from commonpot.errors import DomainError
from commonpot.invitations import invite_to_site
from commonpot.models import Invitation, Membership
from kitchen.models import MealService
from pantry.network.models import Run, Transfer
from volunteers import certificates, people, planning, regulars, services, walk_ins, watches
from volunteers.models import (
    HoursCertificate,
    LeadNote,
    Qualification,
    QualificationKind,
    Rota,
    Shift,
    ShiftPolicy,
    ShiftRole,
    ShiftWatch,
    SignUp,
    WalkIn,
)

# The number on each demo site's shift sheet (the rest print none).
EMERGENCY_PHONES = {
    "riverside-kitchen": "+441179460001",
    "eastside-food-bank": "+12125550199",
}

KINDS = {
    "Food hygiene certificate": "Level 2 food safety or a local equivalent.",
    "Driving licence": "A full licence for the van.",
    "First aid": "A current first aid at work certificate.",
}

ROLES = [
    # name, description, minimum age, required qualification
    ("Cook", "Prepare and cook the day's meals.", None, "Food hygiene certificate"),
    ("Server", "Serve food and welcome guests.", None, None),
    ("Intake", "Weigh and log donations as they arrive.", None, None),
    ("Driver", "Collect donations in the van.", 21, "Driving licence"),
    ("Cleanup", "Wash up and close the kitchen.", None, None),
]

# site slug -> rotas (role, weekday or weekdays, start, end, min, max)
ROTAS = {
    "riverside-kitchen": [
        ("Cook", Rota.Weekday.TUESDAY, time(9, 0), time(12, 0), 2, 4),
        ("Server", (Rota.Weekday.TUESDAY, Rota.Weekday.THURSDAY), time(11, 30), time(14, 30), 2, 5),
        ("Cook", Rota.Weekday.THURSDAY, time(9, 0), time(12, 0), 2, 4),
    ],
    "harbour-camp": [
        ("Cook", Rota.Weekday.MONDAY, time(17, 0), time(19, 30), 2, 3),
        ("Server", Rota.Weekday.FRIDAY, time(18, 0), time(19, 30), 1, 3),
    ],
    "eastside-food-bank": [
        ("Intake", Rota.Weekday.WEDNESDAY, time(8, 0), time(12, 0), 2, 6),
        ("Driver", Rota.Weekday.SATURDAY, time(9, 0), time(13, 0), 1, 2),
    ],
    "maple-street-pantry": [
        ("Server", Rota.Weekday.TUESDAY, time(15, 0), time(19, 0), 2, 4),
        ("Server", Rota.Weekday.THURSDAY, time(15, 0), time(19, 0), 2, 4),
    ],
}

DEMO_NOTE = "Demo shift."


def _qualify(network: DemoNetwork, kinds: dict[str, QualificationKind]) -> None:
    """Every demo volunteer holds a verified food hygiene certificate; some can drive."""
    for username, user in network.volunteers.items():
        slug = user.memberships.values_list("site__slug", flat=True).first()
        lead = network.leads.get(slug)
        wanted = ["Food hygiene certificate"] + (
            ["Driving licence"] if username in {"farid", "grace"} else []
        )
        for name in wanted:
            if Qualification.objects.filter(volunteer=user, kind=kinds[name]).exists():
                continue
            q = people.record_qualification(
                volunteer=user,
                kind=kinds[name],
                expires_on=timezone.localdate() + timedelta(days=400),
                reference="Demo certificate",
            )
            if lead is not None:
                people.verify_qualification(
                    qualification_id=q.pk, by=lead, site=network.sites[slug]
                )


def _one_off(site, role, lead, start, hours, low, high, notes=DEMO_NOTE) -> Shift:
    existing = Shift.objects.filter(site=site, role=role, starts_at=start).first()
    if existing:
        return existing
    return planning.create_shift(
        site=site,
        by=lead,
        role=role,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        min_people=low,
        max_people=high,
        what_to_bring="Closed shoes; hair tied back. Aprons are provided.",
        notes=notes,
        is_published=True,
    )


def _claim(shift: Shift, user, guests: int = 0) -> None:
    # Already on it, or busy then: fine for demo data.
    with contextlib.suppress(DomainError):
        services.claim_shift(shift_id=shift.pk, volunteer=user, guests=guests)


@transaction.atomic
def seed_volunteers(network: DemoNetwork, stdout=None) -> None:
    kinds = {
        name: QualificationKind.objects.get_or_create(name=name, defaults={"description": d})[0]
        for name, d in KINDS.items()
    }
    _qualify(network, kinds)
    now = timezone.now()
    for slug, site in network.sites.items():
        ShiftPolicy.objects.get_or_create(
            site=site, defaults={"emergency_phone": EMERGENCY_PHONES.get(slug, "")}
        )
        lead = network.leads[slug]
        roles = {}
        for name, description, age, needs in ROLES:
            role, created = ShiftRole.objects.get_or_create(
                site=site, name=name, defaults={"description": description, "minimum_age": age}
            )
            if created and needs:
                role.required_qualifications.add(kinds[needs])
            roles[name] = role
        for role_name, days, start, end, low, high in ROTAS.get(slug, []):
            mask = sum(1 << day for day in (days if isinstance(days, tuple) else (days,)))
            rota = Rota.objects.filter(
                site=site, role=roles[role_name], weekdays=mask, start_time=start
            ).first()
            if rota is None:
                planning.save_rota(
                    site=site,
                    by=lead,
                    role=roles[role_name],
                    weekdays=mask,
                    start_time=start,
                    end_time=end,
                    min_people=low,
                    max_people=high,
                    weeks_ahead=2,
                    what_to_bring="Closed shoes. Aprons are provided.",
                )
            else:
                planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
        # A one-off cleanup shift every other day for two weeks, at 14:30 local.
        for days in range(1, 15, 2):
            day = site.today() + timedelta(days=days)
            _one_off(
                site,
                roles["Cleanup"],
                lead,
                planning.local_moment(site, day, time(14, 30)),
                2,
                1,
                3,
            )
        # Some sign-ups: each volunteer takes a couple of this site's shifts.
        site_volunteers = [
            u for u in network.volunteers.values() if u.memberships.filter(site=site).exists()
        ]
        upcoming = list(
            Shift.objects.at(site)
            .published()
            .upcoming()
            .filter(rota__isnull=False)
            .order_by("starts_at")[:8]
        )
        for i, shift in enumerate(upcoming):
            for user in site_volunteers[i % 2 :: 2]:
                if user.username != "volunteer":
                    _claim(shift, user)

    riverside = network.sites.get("riverside-kitchen")
    if riverside is None:
        return
    lead = network.leads["riverside-kitchen"]
    server = ShiftRole.objects.get(site=riverside, name="Server")
    # A full shift with a waitlist: two places, three people.
    full_day = riverside.today() + timedelta(days=5)
    full = _one_off(
        riverside,
        server,
        lead,
        planning.local_moment(riverside, full_day, time(17, 0)),
        2,
        2,
        2,
        notes="Demo shift: the community supper.",
    )
    for username in ["amira", "ben", "chloe", "dev"]:
        user = network.volunteers.get(username)
        if user is not None:
            _claim(full, user)
    # The demo volunteer's shift about 23 hours from now.
    vera = network.volunteers.get("volunteer")
    if vera is not None:
        has_soon = (
            SignUp.objects.active()
            .of(vera)
            .filter(shift__starts_at__gt=now, shift__starts_at__lt=now + timedelta(hours=36))
            .exists()
        )
        if not has_soon:
            start = (now + timedelta(hours=23)).replace(second=0, microsecond=0)
            start -= timedelta(minutes=start.minute % 15)
            soon = _one_off(
                riverside,
                roles_for(riverside)["Server"],
                lead,
                start,
                3,
                1,
                4,
                notes="Demo shift: starts in about a day.",
            )
            _claim(soon, vera)
        # And one later on that she can still cancel freely.
        later = (
            Shift.objects.at(riverside)
            .published()
            .filter(starts_at__gt=now + timedelta(days=3), role__name="Cleanup")
            .order_by("starts_at")
            .first()
        )
        if later is not None:
            _claim(later, vera)
    if stdout is not None:
        stdout.write(
            f"Volunteers: {Shift.objects.count()} shifts, "
            f"{SignUp.objects.active().count()} sign-ups."
        )


def roles_for(site) -> dict[str, ShiftRole]:
    return {r.name: r for r in ShiftRole.objects.filter(site=site)}


@transaction.atomic
def link_demo_meal_and_transfer(network: DemoNetwork, stdout=None) -> None:
    """The dinner for 80 gets its cooks; the camp's bread transfer its driver."""
    said = []
    riverside = network.sites.get("riverside-kitchen")
    dinner = (
        MealService.objects.at(riverside)
        .filter(date=riverside.today(), name="Community dinner")
        .exclude(status=MealService.Status.CANCELLED)
        .first()
        if riverside is not None
        else None
    )
    if dinner is not None and not Shift.objects.filter(meal=dinner).exists():
        lead = network.leads["riverside-kitchen"]
        cooks = _one_off(
            riverside,
            roles_for(riverside)["Cook"],
            lead,
            planning.local_moment(riverside, dinner.date, time(15, 30)),
            3,
            2,
            4,
            notes="Demo shift: cooking the community dinner for 80.",
        )
        planning.update_shift(shift_id=cooks.pk, by=lead, meal=dinner)
        for username in ["amira", "ben"]:
            user = network.volunteers.get(username)
            if user is not None:
                _claim(cooks, user)
        said.append(f"cooks for {dinner.title}")
    camp = network.sites.get("harbour-camp")
    bread = (
        Transfer.objects.filter(source=camp, item__name__iexact="Bread")
        .in_flight()
        .order_by("proposed_at", "pk")
        .first()
        if camp is not None
        else None
    )
    if bread is not None and not Shift.objects.filter(transfer=bread).exists():
        lead = network.leads["harbour-camp"]
        driver = _one_off(
            camp,
            roles_for(camp)["Driver"],
            lead,
            planning.local_moment(camp, camp.today() + timedelta(days=1), time(10, 0)),
            2,
            1,
            1,
            notes="Demo shift: drive the bread to where it was claimed.",
        )
        planning.update_shift(shift_id=driver.pk, by=lead, transfer=bread)
        said.append("a driver for the camp's bread")
    run = (
        Run.objects.filter(site=camp, day__gte=camp.today()).order_by("day", "pk").first()
        if camp is not None
        else None
    )
    if run is not None and not Shift.objects.filter(run=run).exists():
        lead = network.leads["harbour-camp"]
        start = camp.local(run.starts_at)
        driver = _one_off(
            camp,
            roles_for(camp)["Driver"],
            lead,
            planning.local_moment(camp, start.date(), start.time()),
            4,
            1,
            1,
            notes="Demo shift: drive the pickup run (bakery, Riverside, back to the camp).",
        )
        planning.update_shift(shift_id=driver.pk, by=lead, run=run)
        said.append("a driver for the pickup run")
    if stdout is not None and said:
        stdout.write(f"Volunteers: shifts linked ({', '.join(said)}).")


# What people set for themselves: the weekdays they are usually free (0 = Monday)
# and the roles they like, so "Who could fill this" on a shift with room has names.
AVAILABILITY = {
    "volunteer": ([0, 2, 4], ["Server"]),
    "amira": ([1, 3], ["Cook"]),
    "ben": ([0, 1, 2, 3, 4, 5, 6], ["Cleanup", "Server"]),
    "chloe": ([0, 4], ["Cook"]),
    "farid": ([2, 5], ["Driver"]),
    "ines": ([1, 3], ["Server"]),
}
WALK_IN_NAME = "Sam Rivers"
INVITED = [
    # site slug, email, name
    ("riverside-kitchen", "nadia.cole@demo.commonpot.example", "Nadia Cole"),
    ("eastside-food-bank", "omar.haddad@demo.commonpot.example", "Omar Haddad"),
]


@transaction.atomic
def seed_people_features(network: DemoNetwork, stdout=None) -> None:
    """What a kitchen's people see beyond shifts, made through the same operations the
    pages use: a lunch at Riverside yesterday that Vera came to and a walk-in helped at,
    Vera's hours certificate from it, invitations waiting to be accepted, Vera's watch
    on short shifts, her emergency contact, a leads' note, and people's availability.

    Each part is made once: running the seeder again (on any day) adds nothing."""
    said = []
    for username, (weekdays, role_names) in AVAILABILITY.items():
        user = network.volunteers.get(username)
        if user is None or people.volunteer_profile(user).available_days:
            continue
        roles = ShiftRole.objects.filter(
            site__memberships__user=user, name__in=role_names
        ).distinct()
        people.set_availability(user=user, weekdays=weekdays, roles=list(roles))
        said.append(f"{username}'s availability")

    riverside = network.sites.get("riverside-kitchen")
    vera = network.volunteers.get("volunteer")
    if riverside is None or vera is None:
        return
    lead = network.leads["riverside-kitchen"]

    if not WalkIn.objects.filter(site=riverside).exists():
        # Yesterday's lunch: Vera came, and someone who had never signed up helped.
        yesterday = riverside.today() - timedelta(days=1)
        lunch = _one_off(
            riverside,
            roles_for(riverside)["Server"],
            lead,
            planning.local_moment(riverside, yesterday, time(11, 30)),
            3,
            2,
            5,
            notes="Demo shift: yesterday's lunch.",
        )
        came = services.add_to_shift(
            shift_id=lunch.pk, volunteer=vera, by=lead, reason="Demo: she phoned in"
        )
        services.record_attendance(sign_up_id=came.pk, by=lead, attendance="attended")
        helped = services.record_walk_in(
            shift_id=lunch.pk, by=lead, name=WALK_IN_NAME, may_contact=False
        )
        said.append("a walk-in on yesterday's lunch")
        # The walk-in agreed to an account: the invitation waits for them.
        walk_ins.invite_walk_in(
            walk_in_id=helped.volunteer.walk_in.pk,
            by=lead,
            email="sam.rivers@demo.commonpot.example",
            agreed=True,
        )

    for slug, email, name in INVITED:
        site = network.sites.get(slug)
        if site is None or Invitation.objects.filter(site=site, email=email).exists():
            continue
        invite_to_site(
            by=network.leads[slug],
            site=site,
            email=email,
            role=Membership.Role.VOLUNTEER,
            name=name,
        )
        said.append(f"an invitation at {site.name}")

    if not HoursCertificate.objects.filter(volunteer=vera, site=riverside).exists():
        starts_on, ends_on = certificates.default_period(riverside)
        if certificates.hours_served(vera, riverside, starts_on, ends_on) > 0:
            certificates.issue_hours_certificate(
                volunteer=vera, site=riverside, starts_on=starts_on, ends_on=ends_on
            )
            said.append("Vera's hours certificate")

    if not ShiftWatch.objects.filter(volunteer=vera).exists():
        watches.watch_shifts(volunteer=vera, site=riverside, role=None, hours_before=48)
        said.append("Vera's watch on short shifts")

    if not people.volunteer_profile(vera).emergency_name:
        people.set_date_of_birth(
            user=vera,
            date_of_birth=people.volunteer_profile(vera).date_of_birth,
            emergency_name="Daniel Okafor",
            emergency_phone="+447700900901",
        )
        said.append("Vera's emergency contact")

    amira = network.volunteers.get("amira")
    if amira is not None and not LeadNote.objects.filter(site=riverside, volunteer=amira).exists():
        people.save_lead_note(
            site=riverside,
            volunteer=amira,
            text="Runs the cook team well. Ask her first when a Saturday supper is short.",
            by=lead,
        )
        said.append("a leads' note")
    server_rota = Rota.objects.filter(site=riverside, role__name="Server").first()
    if server_rota is not None and not server_rota.regulars.exists():
        # Vera serves every Tuesday and Thursday lunch: the rota signs her up.
        regulars.attach_regular(rota_id=server_rota.pk, by=lead, volunteer=vera)
        said.append("a regular on Riverside's lunch rota")
    if stdout is not None and said:
        stdout.write(f"Volunteers: {', '.join(said)}.")

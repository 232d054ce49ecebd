"""Shifts linked to the kitchen's meals and the network's transfers: the lead's
form, the refusals, the meal page and week view, the roster, cards, sheets,
the daily rota schedule and the demo."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_q.models import Schedule
from pypdf import PdfReader

from commonpot.errors import DomainError
from commonpot.schedules import ensure_schedules
from kitchen.models import MealService
from pantry.models import Item
from pantry.network.models import Transfer
from tests.conftest import client_for, page_queries
from tests.factories import SiteFactory
from tests.kitchen.factories import MealFactory, RecipeFactory, add_ingredient, cheese, pasta
from tests.network.factories import bread
from tests.volunteers.factories import RotaFactory, ShiftFactory, SignUpFactory
from volunteers import planning, tasks
from volunteers.models import Shift

pytestmark = pytest.mark.django_db


# --- Test data -------------------------------------------------------------------


@pytest.fixture
def macaroni(site):
    """A dish with cheddar (milk) and pasta (wheat)."""
    recipe = RecipeFactory(site=site, name="Macaroni cheese")
    add_ingredient(recipe, cheese(), 2000)
    add_ingredient(recipe, pasta(), 4000)
    return recipe


@pytest.fixture
def supper(site, macaroni, shift):
    """The community supper for 80, on the shift's day."""
    return MealFactory(
        site=site,
        date=shift.local_date,
        name="Community supper",
        planned_servings=80,
        recipes=[macaroni],
    )


@pytest.fixture
def other_supper(other_site):
    return MealFactory(site=other_site, name="Eastside breakfast", kind="breakfast")


def make_transfer(source, destination, **kwargs) -> Transfer:
    """A transfer as the network leaves it after a claim (the network's tests drive
    the services; here only the link matters)."""
    return Transfer.objects.create(
        source=source,
        destination=destination,
        item=kwargs.pop("item", None) or Item.objects.filter(name="Bread").first() or bread(),
        quantity=Decimal("40000"),
        status=kwargs.pop("status", Transfer.Status.ACCEPTED),
        **kwargs,
    )


@pytest.fixture
def outgoing(site, other_site):
    site.address = "12 Wharf Lane"
    site.postal_code = "BS1 4RN"
    site.save()
    return make_transfer(site, other_site, note="Ring the bell at the side door.")


def form_data(shift: Shift, **changes) -> dict:
    data = {
        "role": shift.role_id,
        "date": shift.local_date.isoformat(),
        "start_time": f"{shift.local_start:%H:%M}",
        "end_time": f"{shift.local_end:%H:%M}",
        "min_people": shift.min_people,
        "max_people": shift.max_people,
        "what_to_bring": "",
        "notes": "",
        "is_published": "on",
        "meal": shift.meal_id or "",
        "transfer": shift.transfer_id or "",
    }
    data.update(changes)
    return data


def edit(user, shift: Shift, **changes):
    return client_for(user).post(
        reverse("volunteers:shift_edit", args=[shift.site.slug, shift.pk]),
        form_data(shift, **changes),
    )


# --- Linking a meal ----------------------------------------------------------------


def test_a_lead_links_a_shift_to_one_of_the_sites_coming_meals_and_unlinks_it(
    lead, site, shift, supper
):
    form = client_for(lead).get(reverse("volunteers:shift_edit", args=[site.slug, shift.pk]))
    assert "Community supper (80 servings)" in form.content.decode()

    response = edit(lead, shift, meal=supper.pk)
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.meal == supper

    roster = client_for(lead).get(response["Location"]).content.decode()
    assert "Community supper" in roster
    assert "<strong>Milk</strong>" in roster
    assert "<strong>Cereals containing gluten</strong>" in roster
    assert reverse("kitchen:meal", args=[site.slug, supper.pk]) in roster

    assert edit(lead, shift, meal="").status_code == 302
    shift.refresh_from_db()
    assert shift.meal is None


def test_a_new_shift_for_a_meal_starts_from_the_meal_page_with_the_meal_chosen(
    lead, site, supper, cook
):
    url = reverse("volunteers:shift_create", args=[site.slug])
    page = client_for(lead).get(url, {"date": supper.date.isoformat(), "meal": supper.pk})
    assert f'<option value="{supper.pk}" selected>' in page.content.decode()
    response = client_for(lead).post(
        url,
        {
            "role": cook.pk,
            "date": supper.date.isoformat(),
            "start_time": "15:00",
            "end_time": "18:00",
            "min_people": 2,
            "max_people": 4,
            "is_published": "on",
            "meal": supper.pk,
        },
    )
    assert response.status_code == 302
    assert Shift.objects.get(meal=supper).local_start.hour == 15


def test_a_lead_cannot_link_a_meal_of_another_site_and_nothing_is_saved(lead, shift, other_supper):
    response = edit(lead, shift, meal=other_supper.pk, notes="Changed")
    assert response.status_code == 400
    assert "Choose one of this site&#x27;s coming meals." in response.content.decode()
    shift.refresh_from_db()
    assert shift.meal is None and shift.notes == ""


def test_the_planning_services_refuse_another_sites_meal_with_a_reason(
    lead, coordinator, site, shift, cook, other_supper
):
    with pytest.raises(DomainError, match="that meal is at another site") as refused:
        planning.update_shift(shift_id=shift.pk, by=coordinator, meal=other_supper)
    assert refused.value.field == "meal"
    with pytest.raises(DomainError, match="that meal is at another site"):
        planning.create_shift(
            site=site,
            by=lead,
            role=cook,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            meal=other_supper,
        )
    assert Shift.objects.filter(meal__isnull=False).count() == 0


def test_a_cancelled_meal_cannot_be_linked_but_an_existing_link_survives_other_edits(
    lead, shift, supper, macaroni, site
):
    cancelled = MealFactory(
        site=site, date=shift.local_date, status="cancelled", recipes=[macaroni]
    )
    with pytest.raises(DomainError, match="That meal is cancelled"):
        planning.update_shift(shift_id=shift.pk, by=lead, meal=cancelled)

    planning.update_shift(shift_id=shift.pk, by=lead, meal=supper)
    MealService.objects.filter(pk=supper.pk).update(status="cancelled")
    shift.refresh_from_db()
    assert edit(lead, shift, notes="Bring an apron").status_code == 302
    shift.refresh_from_db()
    assert shift.meal_id == supper.pk and shift.notes == "Bring an apron"


# --- The kitchen's staffing slots ---------------------------------------------------


def test_the_meal_page_lists_its_shifts_with_places_minimum_maximum_and_staffing(
    lead, site, shift, supper, cook
):
    planning.update_shift(shift_id=shift.pk, by=lead, meal=supper)
    servers = ShiftFactory(
        site=site, role__name="Server", starts_at=shift.starts_at, min_people=1, max_people=3
    )
    planning.update_shift(shift_id=servers.pk, by=lead, meal=supper)
    SignUpFactory(shift=servers, volunteer__display_name="Amira")
    Shift.objects.filter(pk=servers.pk).update(places_taken=1)

    page = client_for(lead).get(reverse("kitchen:meal", args=[site.slug, supper.pk]))
    html = page.content.decode()
    assert "Staffing" in html
    assert "0 taken, minimum 2, maximum 4" in html
    assert "1 taken, minimum 1, maximum 3" in html
    assert "2 more people needed" in html
    assert reverse("volunteers:roster", args=[site.slug, shift.pk]) in html
    assert reverse("volunteers:roster", args=[site.slug, servers.pk]) in html

    Shift.objects.filter(pk=shift.pk).update(places_taken=2)
    html = client_for(lead).get(reverse("kitchen:meal", args=[site.slug, supper.pk])).content
    assert "every shift has at least its minimum" in html.decode()


def test_a_meal_without_shifts_offers_to_add_one(lead, site, supper):
    html = client_for(lead).get(reverse("kitchen:meal", args=[site.slug, supper.pk])).content
    html = html.decode()
    assert "No shifts are linked to this meal yet." in html
    assert f"?date={supper.date:%Y-%m-%d}&amp;meal={supper.pk}" in html


def test_the_kitchen_week_shows_each_meal_staffed_or_short(lead, site, shift, supper, macaroni):
    planning.update_shift(shift_id=shift.pk, by=lead, meal=supper)
    lunch = MealFactory(site=site, date=supper.date, kind="lunch", recipes=[macaroni])
    url = reverse("kitchen:week", args=[site.slug])
    html = client_for(lead).get(url, {"week": supper.date.isoformat()}).content.decode()
    assert "Short by 2" in html
    assert "No shifts" in html
    assert f"meal={lunch.pk}" in html

    Shift.objects.filter(pk=shift.pk).update(places_taken=2)
    html = client_for(lead).get(url, {"week": supper.date.isoformat()}).content.decode()
    assert "Short by" not in html
    assert ">Staffed<" in html


def test_the_kitchen_week_runs_the_same_queries_for_2_or_10_staffed_meals(
    lead, site, cook, macaroni
):
    monday = site.today() + timedelta(days=7 - site.today().weekday())
    client = client_for(lead)
    url = reverse("kitchen:week", args=[site.slug])

    def add_meals(n: int) -> None:
        for i in range(n):
            day = monday + timedelta(days=i % 7)
            meal = MealFactory(site=site, date=day, kind="other", recipes=[macaroni])
            shift = ShiftFactory(
                site=site,
                role=cook,
                starts_at=planning.local_moment(site, day, time(8 + i % 9)),
            )
            Shift.objects.filter(pk=shift.pk).update(meal=meal)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"week": monday.isoformat()})
            assert response.status_code == 200
        assert response.content.decode().count(">Cook</a>") == MealService.objects.count()
        return len(ctx.captured_queries)

    add_meals(2)
    count()  # warm anything a first request fills once
    small = count()
    add_meals(8)
    assert count() == small


# --- Transfers -------------------------------------------------------------------------


def test_the_shift_form_offers_the_sites_open_transfers_only(
    lead, site, other_site, shift, outgoing
):
    third = SiteFactory(name="Maple Street Pantry")
    elsewhere = make_transfer(other_site, third)
    delivered = make_transfer(other_site, site, status=Transfer.Status.RECEIVED)
    html = (
        client_for(lead)
        .get(reverse("volunteers:shift_edit", args=[site.slug, shift.pk]))
        .content.decode()
    )
    assert f'<option value="{outgoing.pk}">40 kg Bread from Riverside Kitchen to Eastside' in html
    assert f'<option value="{elsewhere.pk}">' not in html
    assert f'<option value="{delivered.pk}">' not in html
    assert "Maple Street Pantry" not in html


def test_a_driver_shift_linked_to_a_transfer_shows_the_drive_on_the_roster_with_the_manifest(
    lead, site, shift, outgoing
):
    assert edit(lead, shift, transfer=outgoing.pk).status_code == 302
    shift.refresh_from_db()
    assert shift.transfer == outgoing
    html = (
        client_for(lead)
        .get(reverse("volunteers:roster", args=[site.slug, shift.pk]))
        .content.decode()
    )
    assert "Driving:</strong> 40 kg Bread from Riverside Kitchen to Eastside Food Bank" in html
    assert "Pickup: 12 Wharf Lane, BS1 4RN, Bristol" in html
    assert reverse("network:transfer_manifest", args=[outgoing.pk]) in html
    manifest = client_for(lead).get(reverse("network:transfer_manifest", args=[outgoing.pk]))
    assert manifest.status_code == 200


def test_a_lead_cannot_link_a_transfer_between_two_other_sites(lead, site, other_site, shift):
    elsewhere = make_transfer(other_site, SiteFactory(name="Maple Street Pantry"))
    response = edit(lead, shift, transfer=elsewhere.pk)
    assert response.status_code == 400
    assert "Choose one of this site&#x27;s open transfers." in response.content.decode()
    with pytest.raises(DomainError, match="between two other sites"):
        planning.update_shift(shift_id=shift.pk, by=lead, transfer=elsewhere)
    shift.refresh_from_db()
    assert shift.transfer is None


def test_a_delivered_or_cancelled_transfer_cannot_be_newly_linked(lead, site, other_site, shift):
    for status in (Transfer.Status.RECEIVED, Transfer.Status.CANCELLED):
        done = make_transfer(other_site, site, status=status)
        with pytest.raises(DomainError, match="nothing left to drive"):
            planning.update_shift(shift_id=shift.pk, by=lead, transfer=done)
    shift.refresh_from_db()
    assert shift.transfer is None


def test_the_shift_card_shows_the_drive_and_hides_an_unlisted_pickup_address(
    lead, site, shift, outgoing
):
    planning.update_shift(shift_id=shift.pk, by=lead, transfer=outgoing)
    board = client_for(None).get(reverse("volunteers:board")).content.decode()
    assert "40 kg Bread from Riverside Kitchen to Eastside Food Bank" in board
    assert "12 Wharf Lane" in board

    site.show_exact_location = False
    site.save()
    board = client_for(None).get(reverse("volunteers:board")).content.decode()
    assert "40 kg Bread from Riverside Kitchen" in board
    assert "12 Wharf Lane" not in board
    assert "Pickup: Bristol (the lead gives the exact place)" in board


def test_the_board_keeps_its_query_count_with_linked_meals_and_transfers(
    lead, site, cook, supper, outgoing
):
    def count() -> int:
        return page_queries(client_for(None), reverse("volunteers:board"))

    def add(n: int) -> None:
        for i in range(n):
            s = ShiftFactory(site=site, role=cook, starts_at=supper_start(site, i))
            Shift.objects.filter(pk=s.pk).update(meal=supper, transfer=outgoing)

    add(2)
    count()
    small = count()
    add(10)
    assert count() == small


def supper_start(site, i: int):
    return planning.local_moment(site, site.today() + timedelta(days=2 + i), time(9))


# --- Sheets ----------------------------------------------------------------------------


def bold_text(content: bytes) -> str:
    """What the PDF prints in a bold font."""
    runs: list[str] = []
    for page in PdfReader(BytesIO(content)).pages:

        def visit(text, cm, tm, font, size, runs=runs):
            if font is not None and "Bold" in str(font.get("/BaseFont", "")):
                runs.append(text)

        page.extract_text(visitor_text=visit)
    return " ".join("".join(runs).split())


def plain_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages).split())


def test_the_shift_sheet_prints_the_linked_meal_with_its_allergens_in_bold(
    lead, site, shift, supper
):
    planning.update_shift(shift_id=shift.pk, by=lead, meal=supper)
    response = client_for(lead).get(reverse("volunteers:shift_sheet", args=[site.slug, shift.pk]))
    assert response.status_code == 200
    text = plain_text(response.content)
    assert (
        "Meal: Community supper (80 servings) · Allergens: Cereals containing gluten, Wheat, Milk"
        in text
    )
    bold = bold_text(response.content)
    assert "Milk" in bold and "Wheat" in bold and "Cereals containing gluten" in bold
    assert "Community supper" not in bold  # only the allergens stand out

    day = client_for(lead).get(
        reverse("volunteers:day_sheet", args=[site.slug, shift.local_date.isoformat()]),
        {"copy": "wall"},
    )
    assert "Meal: Community supper" in plain_text(day.content)


def test_the_day_sheet_prints_the_drive_with_pickup_and_drop_off(
    lead, site, other_site, shift, outgoing
):
    other_site.address = "400 Commerce Street"
    other_site.save()
    planning.update_shift(shift_id=shift.pk, by=lead, transfer=outgoing)
    response = client_for(lead).get(
        reverse("volunteers:day_sheet", args=[site.slug, shift.local_date.isoformat()])
    )
    text = plain_text(response.content)
    assert "Driving: 40 kg Bread from Riverside Kitchen to Eastside Food Bank" in text
    assert "Pickup: Riverside Kitchen, 12 Wharf Lane, BS1 4RN, Bristol" in text
    assert "Drop-off: Eastside Food Bank, 400 Commerce Street" in text
    assert "Note for the driver: Ring the bell at the side door." in text


def test_an_unlinked_shift_sheet_has_no_meal_or_drive(lead, site, shift, supper):
    response = client_for(lead).get(reverse("volunteers:shift_sheet", args=[site.slug, shift.pk]))
    text = plain_text(response.content)
    assert "Meal:" not in text and "Driving:" not in text


# --- The daily rota schedule ------------------------------------------------------------


def test_a_daily_schedule_rolls_active_rotas_forward(site, cook):
    ensure_schedules()
    schedule = Schedule.objects.get(name="volunteers.roll_rotas_forward")
    assert schedule.func == "volunteers.tasks.roll_rotas_forward"
    assert schedule.minutes == 24 * 60

    rota = RotaFactory(site=site, role=cook, weeks_ahead=2)
    RotaFactory(site=site, role=cook, weekdays=1 << 3, is_active=False)
    made = tasks.roll_rotas_forward()
    assert made == Shift.objects.filter(rota=rota).count() >= 2
    assert not Shift.objects.filter(rota__is_active=False).exists()
    assert tasks.roll_rotas_forward() == 0  # a second run the same day makes nothing


# --- The demo ---------------------------------------------------------------------------


def test_the_demo_dinner_for_80_has_a_cook_shift_and_a_claimed_bread_transfer_gets_a_driver():
    from commonpot.models import Site, User
    from pantry.network import services as network
    from pantry.network.models import Offer

    call_command("seed_demo")
    dinner = MealService.objects.get(name="Community dinner", planned_servings=80)
    cooks = Shift.objects.get(meal=dinner)
    assert cooks.role.name == "Cook" and cooks.site == dinner.site
    assert not Shift.objects.filter(transfer__isnull=False).exists()  # nothing claimed yet

    bread_offer = Offer.objects.get(site__slug="harbour-camp")
    eastside = Site.objects.get(slug="eastside-food-bank")
    its_lead = User.objects.get(memberships__site=eastside, memberships__role="lead")
    transfer = network.claim_offer(offer_id=bread_offer.pk, site=eastside, by=its_lead)
    call_command("seed_demo")
    call_command("seed_demo")
    driver = Shift.objects.get(transfer=transfer)
    assert driver.role.name == "Driver" and driver.site.slug == "harbour-camp"
    assert Shift.objects.filter(meal=dinner).count() == 1


def test_the_transfer_page_shows_its_driver_shift_with_first_names_to_the_other_site(
    lead, other_lead, site, shift, outgoing, volunteer
):
    from volunteers import services

    assert edit(lead, shift, transfer=outgoing.pk).status_code == 302
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    url = reverse("network:transfer", args=[outgoing.pk])
    ours = client_for(lead).get(url).content.decode()
    assert "Vera Volunteer" in ours
    assert reverse("volunteers:roster", args=[site.slug, shift.pk]) in ours
    theirs = client_for(other_lead).get(url).content.decode()
    assert "Vera" in theirs and "Vera Volunteer" not in theirs
    assert volunteer.phone not in theirs and volunteer.email not in theirs

"""Every quantity field of every form refuses nonsense with a message and writes nothing.

Each case posts a real form through its real view, as the person allowed to post
it (a lead of the site), with one quantity field replaced by something no
person means: huge, negative, not a number, NaN, infinity, or too many digits.
The answer is never a 500, says what is wrong, and the database is as before.
(Whether a refused form answers 200 or 400 is left to the views.)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from kitchen import services as kitchen
from kitchen.services import IngredientLine
from pantry import services as pantry
from pantry.network import services as network
from tests.conftest import client_for
from tests.network.factories import bread, need, offer, stock
from tests.pantry.factories import beans, rice
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import Rota

pytestmark = pytest.mark.django_db

WRITTEN_BY_FORMS = [
    "pantry.Lot",
    "pantry.StockMove",
    "pantry.Reservation",
    "pantry.Donation",
    "pantry.DonationLine",
    "pantry.Distribution",
    "pantry.DistributionLine",
    "pantry.StockCount",
    "pantry.CountLine",
    "pantry.StockThreshold",
    "network.Offer",
    "network.Need",
    "network.Transfer",
    "network.TransferLine",
    "kitchen.Recipe",
    "kitchen.RecipeIngredient",
    "kitchen.MealService",
    "volunteers.Shift",
    "volunteers.SignUp",
    "volunteers.Rota",
    "volunteers.RotaException",
]
ERROR_MARKS = ("errorlist", 'class="error', "form-errors", "field--error", "message error")


def _is_a_number(text: str) -> bool:
    try:
        return Decimal(text.strip().replace(",", "")).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _not_a_number(text: str) -> bool:
    return bool(text.strip()) and not _is_a_number(text)


# Nothing here is a quantity any form should take; zero is left out (for some
# fields it means "none"), and so is an empty field (it means "all" or "as planned").
NONSENSE = st.one_of(
    st.sampled_from(
        [
            "NaN",
            "nan",
            "sNaN",
            "inf",
            "-Infinity",
            "1e9999",
            "-1e9999",
            "²",
            "½",
            "9" * 40,
            "0.0000000000000000000000000000000000001",
            "1e-30",
            "--1",
            "1..2",
            "12 kg",
        ]
    ),
    st.integers(min_value=10**12, max_value=10**60).map(str),
    st.integers(min_value=-(10**40), max_value=-1).map(str),
    st.decimals(max_value=Decimal("-0.001"), allow_nan=False, allow_infinity=False).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20).filter(
        _not_a_number
    ),
)


@dataclass
class Case:
    name: str
    client: Client
    url: str
    data: dict[str, str]
    field: str


def _snapshot() -> dict[str, list[dict]]:
    return {
        label: list(apps.get_model(label).objects.order_by("pk").values())
        for label in WRITTEN_BY_FORMS
    }


def _form_as_shown(client: Client, url: str) -> dict[str, str]:
    """A form's fields with the values the page starts them at, as a browser would send."""
    context = client.get(url).context
    data = {}
    for key in ("form", "lines"):
        forms = context.get(key) or []
        for form in forms if isinstance(forms, list) else [forms]:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                value = value() if callable(value) else value
                data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


def _lines(prefix: str, lines: list[dict[str, str]]) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(lines)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "60",
    }
    for i, line in enumerate(lines):
        data.update({f"{prefix}-{i}-{key}": value for key, value in line.items()})
    return data


@pytest.fixture
def cases(site, other_site, coordinator, lead, other_lead) -> dict[str, Case]:
    """One valid post per form, and the quantity field in it to spoil."""
    today = site.today()
    item_rice, item_beans, item_bread = rice(), beans(), bread()
    rice_lot = stock(site, item_rice, "5000", by=lead, days=30)
    bread_lot = stock(site, item_bread, "40000", by=lead, days=3)
    shown = offer(site, bread_lot, "10000", by=lead)
    on_the_road = network.claim_offer(
        offer_id=offer(site, bread_lot, "10000", by=lead).pk, site=other_site, by=other_lead
    )
    network.accept_transfer(transfer_id=on_the_road.pk, by=lead)
    network.dispatch_transfer(transfer_id=on_the_road.pk, by=lead)
    their_need = need(other_site, by=other_lead, item=item_bread, quantity="8000")
    recipe = kitchen.create_recipe(
        site=site,
        name="Rice and beans",
        yield_servings=10,
        ingredients=[
            IngredientLine(item_rice, "1", "kg"),
            IngredientLine(item_beans, "4", "cans"),
        ],
        by=lead,
    )
    pantry.receive(site=site, item=item_beans, quantity=Decimal(40), by=lead, source="x")
    meal = kitchen.plan_meal(
        site=site, date=today, kind="dinner", servings=20, recipes=[recipe], by=lead
    )
    cook = ShiftRoleFactory(site=site, name="Cook")
    today_shift = ShiftFactory(
        site=site,
        role=cook,
        starts_at=datetime.combine(today, time(9), tzinfo=site.tz),
        ends_at=datetime.combine(today, time(12), tzinfo=site.tz),
        places_taken=1,
    )
    sign_up = SignUpFactory(shift=today_shift)
    rota = Rota.objects.create(
        site=site, role=cook, weekdays=1 << 1, start_time=time(16), end_time=time(19)
    )
    as_lead, as_other_lead = client_for(lead), client_for(other_lead)
    slug = site.slug

    def token():
        return str(uuid.uuid4())

    line = {"item": "Rice", "quantity": "5", "unit": "kg"}
    donation = {"token": token(), "donor": "", "received_on": today.isoformat(), "note": ""}
    donation |= _lines("lines", [{**line, "date_kind": "best_before", "storage": ""}])
    distribution = {
        "token": token(),
        "recipient": "households",
        "households": "3",
        "people": "9",
        "partner": "",
        "given_on": today.isoformat(),
        "note": "",
    } | _lines("lines", [{**line, "lot": ""}])
    recipe_form = {
        "token": token(),
        "name": "Plain rice",
        "yield_servings": "6",
        "method": "",
        "save": "1",
    } | _lines("ingredients", [{"item": "Rice", "quantity": "1", "unit": "kg", "note": ""}])
    meal_form = {
        "token": token(),
        "date": today.isoformat(),
        "kind": "lunch",
        "planned_servings": "30",
        "dish_1": str(recipe.pk),
        "dish_2": "",
        "dish_3": "",
        "name": "",
        "notes": "",
    }
    shift_form = {
        "role": str(cook.pk),
        "date": (today + timedelta(days=4)).isoformat(),
        "start_time": "16:00",
        "end_time": "19:00",
        "min_people": "2",
        "max_people": "4",
        "what_to_bring": "",
        "notes": "",
        "is_published": "on",
    }
    rota_form = {
        "role": str(cook.pk),
        "weekdays": ["2"],
        "start_time": "16:00",
        "end_time": "19:00",
        "min_people": "1",
        "max_people": "4",
        "weeks_ahead": "4",
        "starts_on": today.isoformat(),
    }
    cook_url = reverse("kitchen:meal_cook", args=[slug, meal.pk])
    receive_url = reverse("network:transfer_receive", args=[on_the_road.pk])
    (road_line,) = on_the_road.lines.all()
    found = [
        Case(
            "donation line",
            as_lead,
            reverse("pantry:donation_new", args=[slug]),
            donation,
            "lines-0-quantity",
        ),
        Case(
            "distribution line",
            as_lead,
            reverse("pantry:distribution_new", args=[slug]),
            distribution,
            "lines-0-quantity",
        ),
        Case(
            "households given to",
            as_lead,
            reverse("pantry:distribution_new", args=[slug]),
            {**distribution, "token": token()},
            "households",
        ),
        Case(
            "people given to",
            as_lead,
            reverse("pantry:distribution_new", args=[slug]),
            {**distribution, "token": token()},
            "people",
        ),
        Case(
            "waste",
            as_lead,
            reverse("pantry:lot_discard", args=[slug, rice_lot.pk]),
            {"reason": "spoiled", "destination": "compost", "quantity": "1", "unit": "kg"},
            "quantity",
        ),
        Case(
            "count",
            as_lead,
            reverse("pantry:count_area", args=[slug, "dry"]),
            {"token": token(), f"lot_{rice_lot.pk}": "4", f"unit_{rice_lot.pk}": "kg"},
            f"lot_{rice_lot.pk}",
        ),
        Case(
            "low-stock level",
            as_lead,
            reverse("pantry:thresholds", args=[slug]),
            {"item": "Rice", "minimum": "2", "unit": "kg"},
            "minimum",
        ),
        Case(
            "offer",
            as_lead,
            reverse("network:offer_new", args=[slug]),
            {
                "lot": str(rice_lot.pk),
                "quantity": "1",
                "unit": "kg",
                "pickup_until": "2099-01-01T18:00",
                "cold_chain": "auto",
                "token": token(),
            },
            "quantity",
        ),
        Case(
            "claim",
            as_other_lead,
            reverse("network:offer_claim", args=[shown.pk]),
            {"for_site": str(other_site.pk), "quantity": "1", "unit": "kg", "token": token()},
            "quantity",
        ),
        Case(
            "need",
            as_lead,
            reverse("network:need_new", args=[slug]),
            {
                "category": "produce",
                "quantity": "3",
                "unit": "kg",
                "needed_by": "2099-01-01",
                "token": token(),
            },
            "quantity",
        ),
        Case(
            "transfer",
            client_for(coordinator),
            reverse("network:transfer_new"),
            {
                "source": str(site.pk),
                "destination": str(other_site.pk),
                "item": item_bread.name,
                "quantity": "1",
                "unit": "kg",
                "need": str(their_need.pk),
                "token": token(),
            },
            "quantity",
        ),
        Case(
            "transfer received",
            as_other_lead,
            receive_url,
            _form_as_shown(as_other_lead, receive_url),
            f"line_{road_line.pk}",
        ),
        Case(
            "recipe ingredient",
            as_lead,
            reverse("kitchen:recipe_create", args=[slug]),
            recipe_form,
            "ingredients-0-quantity",
        ),
        Case(
            "recipe yield",
            as_lead,
            reverse("kitchen:recipe_create", args=[slug]),
            {**recipe_form, "token": token()},
            "yield_servings",
        ),
        Case(
            "meal servings",
            as_lead,
            reverse("kitchen:meal_create", args=[slug]),
            meal_form,
            "planned_servings",
        ),
        Case(
            "meal servings changed",
            as_lead,
            reverse("kitchen:meal_edit", args=[slug, meal.pk]),
            {**meal_form, "token": token(), "kind": "dinner"},
            "planned_servings",
        ),
    ]
    cook_form = _form_as_shown(as_lead, cook_url)
    found += [
        Case(f"cook {field}", as_lead, cook_url, cook_form, field)
        for field in ("servings_made", "servings_served", "leftover_servings")
    ]
    found += [
        Case(f"cook line {key}", as_lead, cook_url, cook_form, key)
        for key in cook_form
        if key.endswith("-quantity")
    ][:1]
    found += [
        Case(
            f"shift {field}",
            as_lead,
            reverse("volunteers:shift_create", args=[slug]),
            shift_form,
            field,
        )
        for field in ("min_people", "max_people")
    ]
    found += [
        Case(
            "check-in hours",
            as_lead,
            reverse("volunteers:check_in", args=[slug, today_shift.pk, sign_up.pk]),
            {"attendance": "attended", "hours": "3"},
            "hours",
        ),
        Case(
            "rota exception people",
            as_lead,
            reverse("volunteers:rota_exception_add", args=[slug, rota.pk]),
            {"date": (today + timedelta(days=7)).isoformat(), "max_people": "3", "reason": ""},
            "max_people",
        ),
    ]
    found += [
        Case(
            f"rota {field}",
            as_lead,
            reverse("volunteers:rotas", args=[slug]),
            rota_form,
            field,
        )
        for field in ("min_people", "max_people")
    ]
    return {case.name: case for case in found}


CASE_NAMES = [
    "donation line",
    "distribution line",
    "households given to",
    "people given to",
    "waste",
    "count",
    "low-stock level",
    "offer",
    "claim",
    "need",
    "transfer",
    "transfer received",
    "recipe ingredient",
    "recipe yield",
    "meal servings",
    "meal servings changed",
    "cook servings_made",
    "cook servings_served",
    "cook leftover_servings",
    "shift min_people",
    "shift max_people",
    "check-in hours",
    "rota exception people",
    "rota min_people",
    "rota max_people",
]


@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_nonsense_in_a_quantity_field_is_refused_and_writes_nothing(cases, data):
    """Each example spoils every case's field with nonsense of its own. The cases are
    built once for all the examples: every post is refused, so none changes them."""
    # The cases name real fields, so the nonsense lands where a person would type it.
    assert sorted(n for n in cases if not n.startswith("cook line")) == sorted(CASE_NAMES)
    assert any(n.startswith("cook line") for n in cases)
    before = _snapshot()
    for name, case in cases.items():
        assert case.field in case.data, name
        nonsense = data.draw(NONSENSE, label=name)
        posted = {**case.data, case.field: nonsense}
        if "token" in posted:
            posted["token"] = str(uuid.uuid4())
        response = case.client.post(case.url, posted, follow=True)
        page = response.content.decode()
        assert response.status_code < 500, (name, nonsense)
        assert any(mark in page for mark in ERROR_MARKS), (name, nonsense, page[:2000])
        # Unchanged after each post, so every post starts from the same tables.
        assert _snapshot() == before, (name, nonsense)

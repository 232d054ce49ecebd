"""Every kitchen URL x every actor: leads of the site and coordinators only."""

import pytest

from kitchen.cooking import cook_meal
from kitchen.services import IngredientLine, create_recipe, plan_meal
from tests.authz import Row, check_matrix, lead_only

pytestmark = pytest.mark.django_db

MEAL = {"slug": "site", "pk": "meal"}
REDIRECTS = lead_only(coordinator=302, lead=302)
ELSEWHERE = lead_only(coordinator=404, lead=404)  # another site's meal, through this site

ROWS = [
    Row("GET", "kitchen:week", {"slug": "site"}, expect=lead_only()),
    Row(
        "GET",
        "kitchen:week",
        {"slug": "private"},
        expect=lead_only(lead=404, other_lead=404, volunteer=404, outsider=404),
    ),
    Row("GET", "kitchen:meal_create", {"slug": "site"}, expect=lead_only()),
    Row("GET", "kitchen:meal", MEAL, expect=lead_only()),
    Row("GET", "kitchen:meal", {"slug": "site", "pk": "elsewhere"}, expect=ELSEWHERE),
    Row("GET", "kitchen:meal_edit", MEAL, expect=lead_only()),
    Row("GET", "kitchen:meal_cook", MEAL, expect=lead_only()),
    Row("GET", "kitchen:meal_cook", {"slug": "site", "pk": "elsewhere"}, expect=ELSEWHERE),
    Row("POST", "kitchen:meal_hold", MEAL, expect=REDIRECTS),
    Row("POST", "kitchen:meal_release", MEAL, expect=REDIRECTS),
    Row("GET", "kitchen:meal_labels", {"slug": "site", "pk": "cooked"}, expect=lead_only()),
    Row("GET", "kitchen:meal_labels", MEAL, expect=REDIRECTS),  # not cooked yet
    Row("GET", "kitchen:recipes", {"slug": "site"}, expect=lead_only()),
    Row("GET", "kitchen:recipe_create", {"slug": "site"}, expect=lead_only()),
    Row("GET", "kitchen:recipe_line", {"slug": "site"}, expect=lead_only()),
    Row("GET", "kitchen:recipe", {"slug": "site", "pk": "recipe"}, expect=lead_only()),
    # Every site reads every recipe of the network...
    Row("GET", "kitchen:recipe", {"slug": "site", "pk": "their_recipe"}, expect=lead_only()),
    Row("GET", "kitchen:recipe_edit", {"slug": "site", "pk": "recipe"}, expect=lead_only()),
    # ...but changes only its own: another site's is copied first.
    Row(
        "GET",
        "kitchen:recipe_edit",
        {"slug": "site", "pk": "their_recipe"},
        expect=lead_only(coordinator=403, lead=403),
    ),
    Row(
        "POST",
        "kitchen:recipe_retire",
        {"slug": "site", "pk": "their_recipe"},
        expect=lead_only(coordinator=403, lead=403),
    ),
    Row(
        "POST",
        "kitchen:recipe_retire",
        {"slug": "site", "pk": "recipe"},
        expect=REDIRECTS,
        data={"active": "1"},
    ),
    Row("POST", "kitchen:recipe_copy", {"slug": "site", "pk": "their_recipe"}, expect=REDIRECTS),
    Row("GET", "kitchen:suggestions", {"slug": "site"}, expect=lead_only()),
    Row("POST", "kitchen:meal_cancel", MEAL, expect=REDIRECTS),
    # A cooling reading for a meal not cooked: refused with the reason.
    Row(
        "POST",
        "kitchen:meal_cooling",
        MEAL,
        expect=lead_only(coordinator=400, lead=400),
        data={"value": "20"},
    ),
    Row(
        "POST",
        "kitchen:meal_cooling",
        {"slug": "site", "pk": "elsewhere"},
        expect=ELSEWHERE,
        data={"value": "20"},
    ),
    # Reading pages never changes anything, so GET on a write URL is refused.
    Row("GET", "kitchen:meal_hold", MEAL, expect=lead_only(coordinator=405, lead=405)),
]


@pytest.fixture
def kitchen_names(site, other_site, private_site, lead, other_lead, items, receive):
    """The recipes and meals (planned, cooked, another site's) the rows' kwargs name."""
    receive(items["rice"], 5000)
    recipe = create_recipe(
        site=site,
        name="Rice",
        yield_servings=4,
        ingredients=[IngredientLine(items["rice"], "500", "g")],
        by=lead,
    )
    theirs = create_recipe(
        site=other_site,
        name="Their rice",
        yield_servings=4,
        ingredients=[IngredientLine(items["rice"], "400", "g")],
        by=other_lead,
    )
    today = site.today()
    meal = plan_meal(site=site, date=today, kind="lunch", servings=4, recipes=[recipe], by=lead)
    cooked = plan_meal(site=site, date=today, kind="dinner", servings=4, recipes=[recipe], by=lead)
    cook_meal(cooked, servings_made=4, servings_served=4, by=lead)
    elsewhere = plan_meal(
        site=other_site,
        date=other_site.today(),
        kind="lunch",
        servings=4,
        recipes=[theirs],
        by=other_lead,
    )
    return {
        "site": site.slug,
        "private": private_site.slug,
        "meal": meal.pk,
        "cooked": cooked.pk,
        "elsewhere": elsewhere.pk,
        "recipe": recipe.pk,
        "their_recipe": theirs.pk,
    }


@pytest.mark.slow
def test_every_kitchen_url_answers_each_actor_as_expected(actors, kitchen_names):
    def resolve(kwargs):
        return {k: kitchen_names.get(v, v) for k, v in kwargs.items()}

    check_matrix(ROWS, actors, resolve)


def test_every_kitchen_url_is_in_the_matrix():
    from kitchen.urls import urlpatterns

    assert {f"kitchen:{p.name}" for p in urlpatterns} <= {row.name for row in ROWS}

"""Labels a kitchen may stick on what it cooked: the full ingredient list with allergens in
bold, use-by, storage and reheating, the kitchen's address, on standard label sheets."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commonpot.dates import day
from kitchen.cooking import CookLine, cook_meal
from kitchen.models import MealService
from kitchen.pdf import LabelOptions, labels_html
from pantry.label_sheets import SHEETS
from pantry.models import PantrySettings
from tests.conftest import client_for
from tests.pantry.factories import ItemFactory

MM_PER_PX = 25.4 / 96  # WeasyPrint lays out in CSS pixels


def url(site, meal) -> str:
    return reverse("kitchen:meal_labels", args=[site.slug, meal.pk])


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def fresh(meal: MealService) -> MealService:
    return MealService.objects.with_dishes().get(pk=meal.pk)


@pytest.fixture
def as_lead(lead):
    return client_for(lead)


@pytest.fixture
def kitchen_address(site):
    site.address = "12 Mill Lane\nBristol BS1 4DJ"
    site.save()
    return site


@pytest.fixture
def cooked(dinner, stocked, lead):
    """Dinner for 40, 10 fed and 25 portions kept in the fridge."""
    cook_meal(dinner, servings_made=40, servings_served=10, leftover_servings=25, by=lead)
    return fresh(dinner)


def test_the_label_lists_every_ingredient_heaviest_first_with_allergens_in_bold(
    kitchen_address, cooked
):
    html = labels_html(cooked, LabelOptions(count=1))
    # 16 cans of 400 g, 4 kg rice, 2 kg onions, 800 g cheddar: as used, heaviest first.
    assert "Ingredients: Chopped tomatoes, Rice, Onions, Cheddar (<strong>milk</strong>)" in html
    assert "Contains: <strong>Milk</strong>" in html
    assert "Keep refrigerated at 5 °C or below." in html
    assert "Reheat until piping hot, 75 °C / 165 °F for 30 seconds; reheat once only." in html
    assert "Riverside Kitchen, 12 Mill Lane, Bristol BS1 4DJ" in html


def test_a_substitute_the_cook_used_is_listed_in_place_of_the_recipes_item(
    dinner, stocked, lead, items, receive
):
    receive(items["pasta"], 5000)
    lines = [
        CookLine(items["rice"], "4", "kg", substitute=items["pasta"]),
        CookLine(items["onions"], "2", "kg"),
        CookLine(items["tomatoes"], "16", "cans"),
        CookLine(items["cheese"], "", ""),  # none used: not on the label
    ]
    cook_meal(dinner, servings_made=40, servings_served=40, by=lead, lines=lines)
    html = labels_html(fresh(dinner), LabelOptions(count=1))
    assert "Ingredients: Chopped tomatoes, Pasta (<strong>wheat</strong>), Onions</p>" in html
    assert "Cheddar" not in html and "Rice" not in html
    assert "Contains: <strong>Cereals containing gluten</strong>, <strong>Wheat</strong>" in html


def test_an_allergen_named_by_the_ingredient_is_bold_in_its_own_name(site, lead, today):
    from kitchen.pdf import Ingredient

    assert str(Ingredient("Free-range eggs", ("eggs",)).html) == "Free-range <strong>eggs</strong>"
    assert str(Ingredient("Wheat flour", ("gluten", "wheat")).html) == (
        "<strong>Wheat</strong> flour"
    )
    assert str(Ingredient("Buttermilk", ("milk",)).html) == "Buttermilk (<strong>milk</strong>)"
    assert str(Ingredient("Fish & chips <b>", ("fish",)).html) == (
        "<strong>Fish</strong> &amp; chips &lt;b&gt;"
    )


def test_labels_for_a_cooked_meal_fill_an_a4_sheet_of_21_and_go_on(as_lead, site, cooked, today):
    response = as_lead.get(url(site, cooked))
    assert response["Content-Type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert len(reader.pages) == 2  # one label per leftover portion: 21 and 4 more
    assert text.count("Chilli and rice") == 25
    assert text.count("Cheddar (milk)") == 25
    assert f"Use by {day(today + timedelta(days=2))}" in text
    assert "Riverside Kitchen" in text and "Vegetarian" in text


@pytest.mark.parametrize(
    ("paper", "chosen", "per_page", "page_points"),
    [
        ("A4", "", 21, (595, 842)),
        ("letter", "", 30, (612, 792)),
        ("A4", "a4-14", 14, (595, 842)),
        ("letter", "letter-10", 10, (612, 792)),
    ],
)
def test_labels_print_on_the_sheet_the_site_chose_or_the_one_that_fits_its_paper(
    as_lead, site, cooked, paper, chosen, per_page, page_points
):
    PantrySettings.objects.filter(site=site).update(paper_size=paper, label_sheet=chosen)
    response = as_lead.get(url(site, cooked), {"count": per_page + 1})
    reader, text = pdf_text(response.content)
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == page_points
    assert len(reader.pages) == 2
    assert reader.pages[0].extract_text().count("Chilli and rice") == per_page


def test_the_lead_may_print_on_another_sheet_and_skip_labels_already_used(as_lead, site, cooked):
    response = as_lead.get(url(site, cooked), {"sheet": "a4-14", "count": "14", "skip": "4"})
    reader, _ = pdf_text(response.content)
    assert [p.extract_text().count("Chilli and rice") for p in reader.pages] == [10, 4]


def _label_boxes(html: str) -> list[tuple[float, ...]]:
    """Where WeasyPrint put each label on the first page: x, y, width, height in mm, and
    how far down its text reaches."""
    from weasyprint import HTML

    page = HTML(string=html).render().pages[0]
    found = []

    def bottom(box) -> float:
        ends = [box.position_y + box.margin_height()] if hasattr(box, "margin_height") else []
        return max([*ends, *(bottom(child) for child in getattr(box, "children", []))])

    def walk(box):
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        if "label" in classes and box.element_tag == "div" and hasattr(box, "border_width"):
            text_end = max(bottom(child) for child in box.children)
            edges = (
                box.border_box_x(),
                box.border_box_y(),
                box.border_width(),
                box.border_height(),
            )
            found.append(tuple(round(v * MM_PER_PX, 2) for v in (*edges, text_end)))
            return
        for child in getattr(box, "children", []):
            walk(child)

    walk(page._page_box)
    return found


@pytest.mark.parametrize("key", sorted(SHEETS))
def test_each_label_lands_on_its_printed_label_to_a_tenth_of_a_millimetre(cooked, key):
    sheet = SHEETS[key]
    html = labels_html(cooked, LabelOptions(count=sheet.per_sheet, sheet=key))
    boxes = _label_boxes(html)
    assert len(boxes) == sheet.per_sheet
    for n, (x, y, w, h, text_end) in enumerate(boxes):
        row, column = divmod(n, sheet.columns)
        assert x == pytest.approx(sheet.side + column * (sheet.width + sheet.column_gap), abs=0.1)
        assert y == pytest.approx(sheet.top + row * (sheet.height + sheet.row_gap), abs=0.1)
        assert (w, h) == (pytest.approx(sheet.width, abs=0.1), pytest.approx(sheet.height, abs=0.1))
        assert text_end <= y + h  # nothing cut off at the label's edge
    # The last label ends where the maker's template says the sheet's margin starts.
    x, y, w, h, _ = boxes[-1]
    assert sheet.page_width - (x + w) == pytest.approx(sheet.side, abs=0.1)


def test_a_label_too_small_for_the_ingredients_is_refused_with_a_larger_one_named(
    as_lead, site, dinner, stocked, lead, items, receive
):
    for n in range(30):
        item = ItemFactory(name=f"Hand-picked wild mountain herb number {n}", allergens=["celery"])
        receive(item, 100)
        dinner.recipes.first().ingredients.create(
            item=item, quantity_entered=1, unit_entered="g", quantity=1, position=10 + n
        )
    cook_meal(dinner, servings_made=40, servings_served=40, by=lead)
    response = as_lead.get(url(site, dinner), {"sheet": "a4-21"}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "do not fit a label of 3 × 7, 63.5 × 38.1 mm" in response.content.decode()
    assert "Print it on A4, 14 labels (2 × 7, 99.1 × 38.1 mm) instead." in (
        response.content.decode()
    )


def test_without_leftovers_the_use_by_is_the_sites_usual_days_after_cooking(
    site, dinner, stocked, lead, today
):
    cook_meal(dinner, servings_made=40, servings_served=40, by=lead)
    html = labels_html(fresh(dinner), LabelOptions(count=1))
    assert f"Use by {day(today + timedelta(days=2))}" in html


def test_a_frozen_only_kitchen_says_keep_frozen_in_fahrenheit_for_us_measures(
    site, dinner, stocked, lead
):
    PantrySettings.objects.filter(site=site).update(
        has_chilled_storage=False, has_frozen_storage=True, measures="us"
    )
    site.refresh_from_db()
    cook_meal(dinner, servings_made=40, servings_served=30, leftover_servings=10, by=lead)
    html = labels_html(fresh(dinner), LabelOptions(count=1))
    assert "Keep frozen at 0 °F (−18 °C) or below." in html


def test_the_meal_page_offers_labels_for_each_leftover_portion_on_the_sites_sheet(
    as_lead, site, cooked
):
    page = as_lead.get(reverse("kitchen:meal", args=[site.slug, cooked.pk])).content.decode()
    assert 'name="count" id="id_label_count" value="25"' in page
    assert '<option value="a4-21" selected>' in page


def test_labels_wait_until_the_meal_is_cooked(as_lead, site, dinner):
    response = as_lead.get(url(site, dinner), follow=True)
    assert b"Labels are printed once the meal is cooked." in response.content

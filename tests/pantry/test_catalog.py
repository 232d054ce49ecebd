"""The network's item catalog: leads add and correct items; units stay fixed once used."""

import pytest
from django.urls import reverse

from pantry import catalog, services
from pantry.models import Item
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NEW_ITEM = {
    "name": "Tinned peaches",
    "category": "canned_dry",
    "base_unit": "piece",
    "piece_name": "tin",
    "weight_per_piece_g": "410",
    "grams_per_ml": "1.000",
    "storage": "dry",
    "date_kind": "best_before",
    "gtin": "5012345678900",
    "is_active": "on",
    "allergens": ["sulphites"],
    "dietary": ["vegan"],
}


def test_a_lead_adds_an_item_with_allergens_and_a_barcode(lead):
    response = client_for(lead).post(reverse("pantry:item_new"), NEW_ITEM)
    assert response.status_code == 302
    item = Item.objects.get(name="Tinned peaches")
    assert (item.allergens, item.dietary, item.gtin) == (["sulphites"], ["vegan"], "5012345678900")


def test_wheat_marks_an_item_as_containing_gluten(coordinator):
    data = {**NEW_ITEM, "name": "Crackers", "gtin": "", "allergens": ["wheat"]}
    client_for(coordinator).post(reverse("pantry:item_new"), data)
    assert Item.objects.get(name="Crackers").allergens == ["gluten", "wheat"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"gtin": "5012345678901"}, "last digit does not match"),
        ({"gtin": "12345"}, "8, 12, 13 or 14 digits"),
        ({"weight_per_piece_g": "-4"}, "greater than or equal to 0.001"),
        ({"allergens": ["pollen"]}, "Select a valid choice"),
        ({"name": "rice"}, "already has an item with this name"),
    ],
)
def test_a_bad_item_is_refused_with_a_reason(lead, item_rice, change, message):
    data = {**NEW_ITEM, **change}
    if change.get("gtin") is None:
        data["gtin"] = ""
    response = client_for(lead).post(reverse("pantry:item_new"), data)
    assert message in response.content.decode()
    assert Item.objects.count() == 1


def test_an_items_unit_cannot_change_once_it_has_stock(site, lead, item_rice):
    services.receive(site=site, item=item_rice, quantity=1000, by=lead, source="x")
    data = {**NEW_ITEM, "name": "Rice", "base_unit": "ml", "gtin": ""}
    response = client_for(lead).post(reverse("pantry:item_edit", args=[item_rice.pk]), data)
    assert "its unit cannot change" in response.content.decode()
    item_rice.refresh_from_db()
    assert item_rice.base_unit == "g"


def test_the_catalog_is_searched_by_name_or_barcode(lead, item_rice, item_beans):
    client = client_for(lead)
    page = client.get(reverse("pantry:items"), {"q": "5012345678900"}).content.decode()
    assert ">Rice<" in page and ">Baked beans<" not in page
    page = client.get(reverse("pantry:items"), {"q": "bean"}).content.decode()
    assert ">Baked beans<" in page and ">Rice<" not in page


def test_the_food_catalog_link_is_only_for_leads_and_coordinators(lead, volunteer):
    assert "Food catalog" in client_for(lead).get("/").content.decode()
    assert "Food catalog" not in client_for(volunteer).get("/").content.decode()


@pytest.mark.parametrize("sort", ["name", "-is_active", "weight_per_piece_g"])
def test_the_catalog_table_shows_what_django_tables2_itself_would(
    rf, lead, item_rice, item_beans, item_milk, sort
):
    """Its rows are written a row at a time (QuickRowsTable): the same cells, links,
    yes/no marks, empty values and allergens as django-tables2's own template."""
    import re

    from commonpot.tables import paginate
    from pantry.tables import ItemTable

    catalog.add_item(**{**NEW_ITEM, "is_active": False, "gtin": "4006381333931"})
    request = rf.get("/", {"sort": sort})
    request.user = lead

    def rendered(template_name):
        table = ItemTable(Item.objects.all())
        table.template_name = template_name
        paginate(request, table, 50)
        html = re.sub(r"\s+", " ", table.as_html(request))
        return html.replace("> <", "><").replace(" >", ">")

    quick = rendered("commonpot/_quick_table.html")
    assert quick == rendered("commonpot/_table.html")
    assert '<span class="false">✘</span>' in quick and '<span class="true">✔</span>' in quick
    assert f'<a href="{reverse("pantry:item_edit", args=[item_rice.pk])}">Rice</a>' in quick
    assert "pieces (tin)" in quick and "<td>sulphites</td>" in quick and "—" in quick

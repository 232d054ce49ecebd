"""The stock page, an item's lots, a lot's history and undo, low-stock levels, home panels."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.dates import day
from commonpot.tables import paginate
from pantry import catalog, services
from pantry.models import Item, StockMove
from pantry.tables import StockTable
from tests.conftest import client_for, page_queries
from tests.pantry.factories import ItemFactory

pytestmark = pytest.mark.django_db


def stock_page(client, site, **params):
    return client.get(reverse("pantry:stock", args=[site.slug]), params).content.decode()


def fill(site, n, today, start=0):
    """n items with two lots each, a threshold on every other one."""
    for i in range(start, start + n):
        item = ItemFactory(name=f"Food {i:03d}", allergens=["milk"] if i % 2 else [])
        for days in (2, 40):
            services.receive(
                site=site,
                item=item,
                quantity=Decimal(1000 + i),
                by=None,
                source="Bulk",
                best_before=today + timedelta(days=days),
            )
        if i % 2:
            catalog.set_threshold(site=site, item=item, minimum=Decimal(5000))


def test_the_stock_page_runs_the_same_queries_for_5_or_60_items(site, lead, today):
    client = client_for(lead)
    url = reverse("pantry:stock", args=[site.slug])
    params = {"sort": "-available_total", "free_from": ["gluten"], "expiring_within": "5"}
    fill(site, 5, today)
    few, few_filtered = page_queries(client, url), page_queries(client, url, params)
    fill(site, 55, today, start=5)
    many, many_filtered = page_queries(client, url), page_queries(client, url, params)
    assert few == many and few_filtered == many_filtered
    assert "60 items" in stock_page(client, site)


def test_the_stock_page_shows_quantities_weights_and_dates_as_people_say_them(
    site, lead, item_rice, item_beans, stock, today
):
    services.receive(site=site, item=item_beans, quantity=Decimal(12), by=lead, source="x")
    page = stock_page(client_for(lead), site)
    assert "5 kg" in page and "12 cans" in page and "4.98 kg" in page
    assert day(today + timedelta(days=5)) in page


def test_a_lots_dates_carry_the_year_only_when_it_is_not_this_year(site, lead, item_rice, noon):
    noon.move_to(datetime(2026, 12, 3, 12, tzinfo=UTC))
    lot = services.receive(
        site=site,
        item=item_rice,
        quantity=Decimal(1000),
        by=lead,
        source="x",
        best_before=date(2027, 12, 1),
        received_on=date(2026, 11, 27),
    ).lot
    page = client_for(lead).get(lot.get_absolute_url()).content.decode()
    assert "Best before Wed 1 Dec 2027" in page
    assert "received Fri 27 Nov<" in page
    assert "Nov. 27" not in page and "27 Nov 2026" not in page


def test_filters_narrow_the_stock(site, lead, item_rice, item_milk, stock, today):
    services.receive(
        site=site,
        item=item_milk,
        quantity=Decimal(2000),
        by=lead,
        source="x",
        storage="chilled",
        best_before=today + timedelta(days=1),
    )
    client = client_for(lead)
    assert ">Milk<" not in stock_page(client, site, free_from="milk")
    assert ">Rice<" not in stock_page(client, site, storage="chilled")
    assert ">Rice<" not in stock_page(client, site, category="dairy_eggs")
    only_soon = stock_page(client, site, expiring_within="2")
    assert ">Milk<" in only_soon and ">Rice<" not in only_soon
    catalog.set_threshold(site=site, item=item_rice, minimum=Decimal(6000))
    low = stock_page(client, site, below_threshold="on")
    assert ">Rice<" in low and ">Milk<" not in low and 'badge bad">low' in low


def test_a_bad_filter_value_is_explained_not_a_crash(site, lead, stock):
    page = stock_page(client_for(lead), site, expiring_within="soon", category="nonsense")
    assert "Enter a number" in page or "Enter a whole number" in page


def test_htmx_gets_only_the_results(site, lead, stock):
    response = client_for(lead).get(
        reverse("pantry:stock", args=[site.slug]),
        {"q": "ric"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="stock-results",
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="stock-results"') and "Rice" in page
    assert "<html" not in page


def test_an_item_at_its_level_but_with_no_stock_still_shows_as_low(site, lead, item_milk):
    catalog.set_threshold(site=site, item=item_milk, minimum=Decimal(1000))
    page = stock_page(client_for(lead), site)
    assert ">Milk<" in page and "0 ml" in page


def test_a_lots_history_says_who_when_why_and_adds_up(site, lead, item_rice, stock):
    services.take_stock(site=site, item=item_rice, quantity=500, kind="distributed", by=lead)
    lot = stock["soon"]
    page = client_for(lead).get(lot.get_absolute_url()).content.decode()
    assert "Received" in page and "Distributed" in page and "Lena Lead" in page
    assert "The moves add up to 1.5 kg, which is what is on hand." in page


def test_undo_from_the_history_reverses_a_move_once(site, lead, item_rice, stock):
    (taken,) = services.take_stock(
        site=site, item=item_rice, quantity=500, kind="cooked", by=lead, reference="meal:1"
    )
    client = client_for(lead)
    url = reverse("pantry:move_undo", args=[site.slug, taken.move.pk])
    client.post(url)
    client.post(url)
    assert StockMove.objects.filter(kind="reversed").count() == 1
    stock["soon"].refresh_from_db()
    assert stock["soon"].on_hand == 2000
    page = client.get(stock["soon"].get_absolute_url()).content.decode()
    assert (
        "Reversed (undo)" in page
        and "undone" in page
        and "For a planned use" in page
        and "meal:1" not in page
    )


def test_a_lead_cannot_undo_a_move_at_another_site(site, other_site, lead, item_rice):
    move = services.receive(site=other_site, item=item_rice, quantity=1000, by=None, source="x")
    url = reverse("pantry:move_undo", args=[other_site.slug, move.pk])
    assert client_for(lead).post(url).status_code == 403
    # Nor through their own site's address.
    url = reverse("pantry:move_undo", args=[site.slug, move.pk])
    assert client_for(lead).post(url).status_code == 404
    assert not StockMove.objects.filter(kind="reversed").exists()


def test_low_stock_levels_are_set_in_any_unit_and_removed_with_zero(site, lead, item_rice):
    url = reverse("pantry:thresholds", args=[site.slug])
    client = client_for(lead)
    client.post(url, {"item": "Rice", "minimum": "22", "unit": "lb"})
    assert site.stock_thresholds.get().minimum == Decimal("9979.032")
    response = client.post(url, {"item": "Rice", "minimum": "-1", "unit": "kg"})
    assert "more than zero" in response.content.decode()
    client.post(url, {"item": "Rice", "minimum": "0", "unit": "kg"})
    assert not site.stock_thresholds.exists()


def test_the_lead_home_page_shows_what_expires_soon_and_what_is_low(
    site, lead, item_rice, item_milk, stock, today
):
    services.receive(
        site=site,
        item=item_milk,
        quantity=Decimal(1000),
        by=lead,
        source="x",
        storage="chilled",
        best_before=today + timedelta(days=2),
        date_kind="use_by",
    )
    catalog.set_threshold(site=site, item=item_rice, minimum=Decimal(8000))
    page = client_for(lead).get("/").content.decode()
    assert "Food to watch" in page and "Below its low-stock level" in page
    assert "Expiring in the next 3 days" in page
    assert "Milk</a>: 1 L, use by" in page
    assert "Rice</a>: 5 kg free, level 8 kg" in page


def test_the_coordinator_home_page_counts_expiring_food_per_site(coordinator, site, stock):
    stock["make"]("1000", 1)
    stock["make"]("1000", -1)
    page = client_for(coordinator).get("/").content.decode()
    assert "Food to move or use" in page and site.name in page


@pytest.mark.parametrize(
    "params",
    [{"page": "abc"}, {"page": "999"}, {"sort": "no_such_column"}, {"storage": "attic"}],
)
def test_odd_addresses_of_the_stock_page_never_fail(site, lead, stock, params):
    response = client_for(lead).get(reverse("pantry:stock", args=[site.slug]), params)
    assert response.status_code in (200, 404)


def test_a_huge_per_page_still_shows_a_page_of_25(site, lead, today):
    fill(site, 30, today)
    page = stock_page(client_for(lead), site, per_page="100000")
    assert page.count('<tr class="') == 25 and "Food 024" in page and "Food 025" not in page


def test_a_page_past_the_end_shows_the_last_page(site, lead, today):
    fill(site, 30, today)
    page = stock_page(client_for(lead), site, page="999999")
    assert page.count('<tr class="') == 5 and "Food 029" in page and "Food 024" not in page


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").replace(" >", ">")


@pytest.mark.parametrize("sort", ["name", "-nearest", "storage"])
def test_the_stock_table_shows_what_django_tables2_itself_would(
    rf, site, lead, item_rice, item_beans, item_milk, stock, today, sort
):
    """The quick rows against django-tables2's own template: same cells, attributes,
    badges, empty values and links, whitespace aside."""
    services.receive(site=site, item=item_beans, quantity=Decimal(12), by=lead, source="x")
    stock["make"]("700", None, item=item_milk)  # no date: the column's default
    stock["make"]("300", -2)  # past best before, within the 3 days allowed for rice
    stock["make"]("200", -9)  # past the limit: on hand, not free
    catalog.set_threshold(site=site, item=item_rice, minimum=Decimal(90_000))  # low
    request = rf.get("/", {"sort": sort})
    request.user = lead

    def rendered(template_name):
        table = StockTable(Item.objects.stock_at(site), site=site, today=today)
        table.template_name = template_name
        paginate(request, table, 25)
        return squeeze(table.as_html(request))

    quick = rendered("commonpot/_quick_table.html")
    assert quick == rendered("commonpot/_table.html")
    assert 'class="badge bad">low' in quick and "—" in quick
    assert "past best before" in quick and "200 g past date" in quick


def test_the_item_pickers_free_figures_are_the_stock_pages(
    site, other_site, lead, other_lead, item_rice, item_beans, item_milk, stock, today
):
    """The picker sums what is free with a lighter query than the stock page: the
    two must agree, lot dates, holds, reservations, watched items and all."""
    from pantry.models import Lot

    stock["make"]("300", -2)  # past best before, within the days allowed for rice
    stock["make"]("200", -9)  # past the limit: on hand, not free
    held = stock["make"]("400", 10)
    Lot.objects.filter(pk=held.pk).update(on_hold=True)  # a fridge read too warm
    services.reserve_stock(
        site=site, item=item_rice, quantity=Decimal(500), reference="Meal", by=lead
    )
    stock["make"]("700", None, item=item_milk)
    catalog.set_threshold(site=site, item=item_beans, minimum=Decimal(1000))  # none held
    services.receive(
        site=other_site, item=item_beans, quantity=Decimal(9), by=other_lead, source="x"
    )
    soap = ItemFactory(name="Soap")
    ids = [item_rice.pk, item_beans.pk, item_milk.pk, soap.pk]
    expected = {i.pk: i.available_total for i in Item.objects.stock_at(site).filter(pk__in=ids)}
    assert Item.objects.free_at(site, ids) == expected
    assert expected[item_rice.pk] == Decimal(2000 + 3000 + 300 - 500)
    assert expected[item_beans.pk] == 0 and soap.pk not in expected

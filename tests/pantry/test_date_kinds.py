"""Best-before is a quality date, use-by a safety date.

Past best-before, food can still be given out, cooked, offered and moved for as
many days as the site allows for that kind of food, flagged wherever it shows;
past that it is suggested for waste. Past use-by, it can only be discarded.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.dates import day
from commonpot.errors import DomainError
from pantry import services
from pantry.freshness import DateRules, Freshness, SitesDateRules
from pantry.models import Item, Lot, PantrySettings, StockMove, Storage
from pantry.services import NotEnoughStock
from pantry.services.donations import LineInput, receive_donation
from tests.commonpot.test_site_settings import SETTINGS
from tests.conftest import client_for
from tests.pantry.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bread(db):
    return ItemFactory(
        name="Bread",
        category=Item.Category.GRAINS_BREAD,
        base_unit=Item.Unit.PIECE,
        piece_name="loaf",
        weight_per_piece_g=Decimal("800"),
    )


@pytest.fixture
def yogurt(db):
    return ItemFactory(
        name="Yogurt",
        category=Item.Category.DAIRY_EGGS,
        storage=Storage.CHILLED,
        date_kind=Lot.DateKind.USE_BY,
    )


def set_pantry(site, **fields):
    """Change the site's pantry settings, as the Settings page would."""
    row = PantrySettings.for_site(site)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    site.pantry_settings = row


@pytest.fixture
def chilled(site):
    set_pantry(site, has_chilled_storage=True, has_frozen_storage=True)


@pytest.fixture
def lot(site, lead, today, chilled):
    def make(item, quantity, days, kind=None, storage=""):
        return services.receive(
            site=site,
            item=item,
            quantity=Decimal(quantity),
            by=lead,
            source="Test intake",
            best_before=today + timedelta(days=days),
            date_kind=kind or item.date_kind,
            storage=storage or item.storage,
            received_on=today - timedelta(days=10),
        ).lot

    return make


def give_out(site, lead, item, quantity, lot=None):
    return services.take_stock(
        site=site, item=item, quantity=Decimal(quantity), kind="distributed", by=lead, lot=lot
    )


# --- The rules ------------------------------------------------------------------


def test_bread_two_days_past_best_before_is_given_out_first_and_flagged(site, lead, bread, lot):
    old = lot(bread, 10, -2)
    fresh = lot(bread, 10, 3)
    (taken,) = give_out(site, lead, bread, 4)
    assert taken.lot == old  # first expiring first still orders by date
    rules = DateRules.for_site(site)
    assert rules.state(old) == Freshness.PAST_BEST_BEFORE
    assert rules.flag(old) == "2 days past best before"
    assert rules.flag(fresh) == ""
    page = client_for(lead).get(reverse("pantry:lot", args=[site.slug, old.pk])).content.decode()
    assert "2 days past best before" in page and "Give out from this lot" in page


def test_yogurt_past_use_by_is_refused_with_its_date_and_nothing_is_written(
    site, lead, yogurt, lot
):
    old = lot(yogurt, 500, -1)
    before = StockMove.objects.count()
    with pytest.raises(DomainError, match=r"passed its use-by date on .*only be discarded"):
        give_out(site, lead, yogurt, 100, lot=old)
    with pytest.raises(NotEnoughStock, match="Only 0 g of Yogurt is free"):
        give_out(site, lead, yogurt, 100)
    with pytest.raises(DomainError, match="passed its use-by date"):
        services.reserve_stock(
            site=site, item=yogurt, quantity=Decimal(100), reference="meal:1", by=lead, lot=old
        )
    assert StockMove.objects.count() == before
    services.discard(old, reason="expired", destination="compost", by=lead)
    old.refresh_from_db()
    assert old.on_hand == 0


def test_past_the_sites_limit_nothing_takes_it_and_the_refusal_says_what_to_do(
    site, lead, bread, lot
):
    stale = lot(bread, 6, -5)  # bread: 3 days allowed by default
    with pytest.raises(NotEnoughStock):
        give_out(site, lead, bread, 1)
    with pytest.raises(DomainError) as refused:
        give_out(site, lead, bread, 1, lot=stale)
    assert refused.value.message == (
        f"This lot of Bread is 5 days past its best-before date ({day(stale.best_before)}), "
        "beyond the 3 days this site allows for grains and bread: discard it, or raise that "
        "limit on the site's Settings page if the food is still good."
    )
    assert DateRules.for_site(site).flag(stale) == "5 days past best before: suggested for waste"


def test_raising_the_limit_makes_the_lot_free_again(site, lead, bread, lot):
    stale = lot(bread, 6, -5)
    assert services.available(site, bread) == 0
    set_pantry(site, bb_grains_bread=7)
    assert services.available(site, bread) == 6
    (taken,) = give_out(site, lead, bread, 2)
    assert taken.lot == stale


def test_frozen_food_uses_the_frozen_allowance_whatever_its_kind(site, lead, bread, lot):
    frozen = lot(bread, 5, -30, storage=Storage.FROZEN)  # 90 days allowed for frozen food
    shelf = lot(bread, 5, -30)
    rules = DateRules.for_site(site)
    assert rules.may_use(frozen) and not rules.may_use(shelf)
    assert services.available(site, bread) == 5


def test_the_database_filter_and_the_lot_rule_agree_on_every_edge(site, lead, today, chilled):
    """For each kind of food, kind of date, storage and day around the limit, the
    SQL condition (pages, sums) says what the per-lot rule (services) says."""
    rules = DateRules.for_site(site)
    lots = []
    for category in Item.Category.values:
        item = ItemFactory(category=category)
        for kind in Lot.DateKind.values:
            for storage in (Storage.DRY, Storage.FROZEN):
                limit = rules.days_allowed(category, storage)
                for days in {0, 1, limit, limit + 1}:
                    lots.append(
                        services.receive(
                            site=site,
                            item=item,
                            quantity=Decimal(1),
                            by=lead,
                            source="x",
                            best_before=today - timedelta(days=days),
                            date_kind=kind,
                            storage=storage,
                            received_on=today - timedelta(days=400),
                        ).lot
                    )
    in_sql = set(Lot.objects.at(site).may_use(rules).values_list("pk", flat=True))
    assert in_sql == {lot.pk for lot in lots if rules.may_use(lot)}
    every_site = set(
        Lot.objects.filter(SitesDateRules.load().usable_q(today)).values_list("pk", flat=True)
    )
    assert every_site == in_sql


def test_a_site_with_its_own_limits_is_judged_by_them_beside_one_with_the_defaults(
    site, other_site, lead, bread, today
):
    for where in (site, other_site):
        services.receive(
            site=where,
            item=bread,
            quantity=Decimal(4),
            by=None,
            source="x",
            best_before=today - timedelta(days=5),
            received_on=today - timedelta(days=6),
        )
    set_pantry(other_site, bb_grains_bread=10)
    usable = Lot.objects.filter(SitesDateRules.load().usable_q(today))
    assert list(usable.values_list("site", flat=True)) == [other_site.pk]


# --- One meaning of free ---------------------------------------------------------------


def test_the_stock_list_and_the_item_page_say_the_same_free_figure(site, lead, bread, lot):
    lot(bread, 12, 4)
    lot(bread, 10, -2)  # past best before, still free
    lot(bread, 6, -8)  # past the limit: on hand, not free
    as_lead = client_for(lead)
    stock = as_lead.get(reverse("pantry:stock", args=[site.slug])).content.decode()
    item = as_lead.get(reverse("pantry:stock_item", args=[site.slug, bread.pk])).content.decode()
    assert "22 loaves free today" in item
    assert re.search(r'<td class="num"[^>]*>22 loaves</td>', stock)  # free
    assert "28 loaves" in stock and "6 loaves past date" in stock  # on hand, and past date
    assert services.available(site, bread) == 22


# --- Pages ------------------------------------------------------------------------------


def test_the_waste_page_separates_use_by_past_limit_and_still_fine(site, lead, bread, yogurt, lot):
    gone = lot(yogurt, 500, -1)
    stale = lot(bread, 6, -5)
    fine = lot(bread, 10, -2)
    page = client_for(lead).get(reverse("pantry:waste", args=[site.slug])).content.decode()
    use_by, rest = page.split("<h2>Past best-before beyond", 1)
    limit, fine_part = rest.split("<h2>Past best-before, still fine to give out</h2>", 1)
    assert f'id="lot-{gone.pk}"' in use_by and "past use-by: discard" in use_by
    assert f'id="lot-{stale.pk}"' in limit and "suggested for waste" in limit
    assert f"?lot={fine.pk}" in fine_part.split("<h2>")[0]
    assert "2 days past best before" in fine_part


@pytest.mark.parametrize("bad", ["-1", "10000", "many"])
def test_a_limit_below_zero_or_beyond_ten_years_is_a_field_error(site, coordinator, bad):
    data = {**SETTINGS, "bb_canned_dry": bad}
    response = client_for(coordinator).post(reverse("site_edit", args=[site.slug]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="bb_canned_dry"' in html and 'aria-invalid="true"' in html
    assert PantrySettings.objects.get(site=site).bb_canned_dry == 365


def test_a_lead_sets_a_limit_on_the_settings_page(site, coordinator):
    data = {**SETTINGS, "bb_canned_dry": "730"}
    response = client_for(coordinator).post(reverse("site_edit", args=[site.slug]), data)
    assert response.status_code == 302
    assert PantrySettings.objects.get(site=site).bb_canned_dry == 730


def test_a_new_donation_line_takes_the_items_usual_kind_of_date(site, lead, yogurt, chilled):
    donation = receive_donation(
        site=site,
        donor=None,
        received_on=site.today(),
        lines=[
            LineInput(
                item=yogurt, quantity="2", unit="kg", best_before=site.today() + timedelta(days=3)
            )
        ],
        by=lead,
    )
    assert Lot.objects.get(moves__donation=donation).date_kind == Lot.DateKind.USE_BY


def test_a_use_by_that_passed_after_the_food_came_in_is_recorded_for_waste(
    site, lead, yogurt, chilled
):
    today = site.today()
    receive_donation(
        site=site,
        donor=None,
        received_on=today - timedelta(days=10),
        lines=[
            LineInput(item=yogurt, quantity="2", unit="kg", best_before=today - timedelta(days=5))
        ],
        by=lead,
    )
    (lot_,) = Lot.objects.past_use(DateRules.for_site(site))
    assert lot_.on_hand == 2000


def test_what_was_given_out_past_best_before_says_so_on_its_record_and_count_sheet(
    site, lead, bread, lot
):
    old = lot(bread, 10, -2)
    given = services.distribute(
        site=site,
        recipient="households",
        given_on=site.today(),
        households=3,
        people=7,
        lines=[services.OutLine(bread, "4", "loaves")],
        by=lead,
    )
    as_lead = client_for(lead)
    record = as_lead.get(
        reverse("pantry:distribution", args=[site.slug, given.pk])
    ).content.decode()
    assert f"#{old.pk}</a> · best before {day(old.best_before)} · 2 days past best before" in record
    count = as_lead.get(reverse("pantry:count_area", args=[site.slug, "dry"])).content.decode()
    assert "2 days past best before" in count

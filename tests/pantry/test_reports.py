"""The food section of the reports: food counts on the day it happened at its site,
and weights read the same, to the gram, on the page, in the chart, the PDF and the CSV."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from commonpot.errors import DomainError
from commonpot.reports import Period, build_sections, find_table
from pantry import services as pantry
from pantry.models import Distribution, Donor, Item, StockMove
from pantry.reports import figures
from pantry.services import donations
from tests.conftest import client_for
from tests.pantry.factories import DonorFactory, ItemFactory, rice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def on_day(site, day: date) -> Period:
    return Period((site,), day, day, False)


def report_page(user, site, day: date, extra: str = "") -> str:
    url = reverse("site_report", args=[site.slug]) + f"?start={day}&end={day}{extra}"
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def tins():
    return ItemFactory(
        name="Chopped tomatoes",
        base_unit=Item.Unit.PIECE,
        piece_name="tin",
        weight_per_piece_g=Decimal("400"),
        category=Item.Category.CANNED_DRY,
    )


def donate(site, lead, received_on: date, *lines) -> None:
    donations.receive_donation(
        site=site,
        donor=DonorFactory(site=site, kind=Donor.Kind.SHOP),
        received_on=received_on,
        lines=[donations.LineInput(item=item, quantity=q, unit=unit) for item, q, unit in lines],
        by=lead,
    )


# --- The day it happened --------------------------------------------------------


def test_a_donation_typed_today_for_ten_days_ago_counts_on_the_day_it_was_received(
    site, lead, tins
):
    today = site.today()
    ten_days_ago = today - timedelta(days=10)
    donate(site, lead, ten_days_ago, (tins, 10, "tins"))

    assert figures(on_day(site, ten_days_ago))["received_g"] == Decimal(4000)
    assert figures(on_day(site, today))["received_g"] == 0
    page = report_page(lead, site, ten_days_ago)
    assert re.search(r"<dt>Received</dt><dd>4 kg</dd>", page)
    assert re.search(r"<dt>Received</dt><dd>0 kg</dd>", report_page(lead, site, today))
    # The ledger still says when it was typed in.
    (move,) = StockMove.objects.filter(lot__site=site)
    assert move.happened_on == ten_days_ago
    assert site.local(move.at).date() == today


def test_a_distribution_typed_today_for_five_days_ago_counts_its_food_and_households_that_day(
    site, lead, tins
):
    today = site.today()
    five_days_ago = today - timedelta(days=5)
    donate(site, lead, today - timedelta(days=10), (tins, 10, "tins"))
    pantry.distribute(
        site=site,
        recipient=Distribution.Recipient.HOUSEHOLDS,
        given_on=five_days_ago,
        households=3,
        people=7,
        by=lead,
        lines=[pantry.OutLine(item=tins, quantity="4", unit="tins")],
    )

    that_day = figures(on_day(site, five_days_ago))
    assert (that_day["distributed_g"], that_day["households"], that_day["people"]) == (
        Decimal(1600),
        3,
        7,
    )
    typed_day = figures(on_day(site, today))
    assert (typed_day["distributed_g"], typed_day["households"]) == (0, 0)
    page = report_page(lead, site, five_days_ago)
    assert "<dt>Given out</dt><dd>1.6 kg</dd>" in page
    assert "<dt>Households served</dt><dd>3</dd>" in page


def test_an_undo_typed_later_takes_the_food_out_of_the_day_it_was_received(site, lead, tins):
    today = site.today()
    three_days_ago = today - timedelta(days=3)
    donate(site, lead, three_days_ago, (tins, 10, "tins"))
    donate(site, lead, three_days_ago, (tins, 5, "tins"))
    mistake = StockMove.objects.filter(lot__site=site).order_by("pk").last()
    pantry.reverse_move(mistake, by=lead)

    assert figures(on_day(site, three_days_ago))["received_g"] == Decimal(4000)
    assert figures(on_day(site, today))["received_g"] == 0


def test_a_site_counts_its_own_day_not_the_servers(other_site, other_lead, tins):
    """23:30 in New York is already tomorrow in UTC: the food is New York's today."""
    new_york_late = datetime(2026, 11, 10, 23, 30, tzinfo=other_site.tz)
    with time_machine.travel(new_york_late.astimezone(UTC), tick=False):
        assert datetime.now(UTC).date() == date(2026, 11, 11)
        pantry.receive(
            site=other_site, item=tins, quantity=Decimal(10), by=other_lead, source="Walk-in"
        )
        assert figures(on_day(other_site, date(2026, 11, 10)))["received_g"] == Decimal(4000)
        assert figures(on_day(other_site, date(2026, 11, 11)))["received_g"] == 0


def test_a_report_adds_up_a_month_by_the_days_things_happened(site, lead, tins):
    """A paper log typed up at the start of the next month lands in last month."""
    today = site.today()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    donate(site, lead, last_month_end, (tins, 10, "tins"))
    month = last_month_end.strftime("%Y-%m")
    url = reverse("site_report", args=[site.slug]) + f"?month={month}"
    page = client_for(lead).get(url).content.decode()
    assert "<dt>Received</dt><dd>4 kg</dd>" in page
    this_month = client_for(lead).get(reverse("site_report", args=[site.slug])).content.decode()
    assert "<dt>Received</dt><dd>0 kg</dd>" in this_month


def test_a_back_dated_day_in_the_future_is_refused_and_writes_nothing(site, lead, tins):
    with pytest.raises(DomainError, match="cannot be in the future"):
        pantry.receive(
            site=site,
            item=tins,
            quantity=Decimal(1),
            by=lead,
            source="Walk-in",
            on=site.today() + timedelta(days=1),
        )
    assert not StockMove.objects.exists()


# --- Weights to the gram ----------------------------------------------------------


@pytest.fixture
def tins_and_rice(site, lead, tins):
    """10 tins of 400 g and 5 lb of rice (2,267.962 g), received today."""
    grains = rice()
    donate(site, lead, site.today(), (tins, 10, "tins"), (grains, 5, "lb"))
    return {"tins": tins, "rice": grains}


def test_ten_tins_of_400_g_and_5_lb_of_rice_read_4_kg_and_2_268_kg(site, lead, tins_and_rice):
    (food,) = [s for s in build_sections(on_day(site, site.today())) if s.key == "food"]
    assert dict(food.figures)["Received"] == "6.268 kg"
    table = find_table([food], "received-by-category")
    assert table.rows == [["Canned and dry goods", "4"], ["Grains and bread", "2.268"]]
    assert table.total == ["Total", "6.268"]
    page = report_page(lead, site, site.today())
    assert "<dt>Received</dt><dd>6.268 kg</dd>" in page
    assert '<td class="num">2.268</td>' in page and '<td class="num">4</td>' in page


def test_the_rows_shown_add_up_to_the_total_shown(site, lead, tins):
    """Rows of 300.04 and 242.04 kg: plain rounding shows 300.0 + 242.0 under 542.1."""
    donor_a = DonorFactory(site=site, kind=Donor.Kind.SHOP)
    donor_b = DonorFactory(site=site, kind=Donor.Kind.FARM)
    grains = rice()
    for donor, grams in ((donor_a, 300_040), (donor_b, 242_040)):
        donations.receive_donation(
            site=site,
            donor=donor,
            received_on=site.today(),
            lines=[donations.LineInput(item=grains, quantity=grams, unit="g")],
            by=lead,
        )
    sections = build_sections(on_day(site, site.today()))
    table = find_table(sections, "received-by-donor")
    shown = [Decimal(kg.replace(",", "")) for _, kg in table.rows]
    assert sum(shown) == Decimal(table.total[1]) == Decimal("542.1")
    (food,) = [s for s in sections if s.key == "food"]
    assert dict(food.figures)["Received"] == "542.1 kg"
    category = find_table(sections, "received-by-category")
    assert category.total == ["Total", "542.1"]


def test_the_chart_and_the_table_read_the_same_numbers(site, lead, tins_and_rice):
    grains = tins_and_rice["rice"]
    pantry.receive(site=site, item=grains, quantity=Decimal(5000), by=lead, source="Shop")
    # 4.35 kg damaged: the chart once drew 4.3 (floating point) beside a table's 4.4.
    pantry.take_stock(
        site=site,
        item=grains,
        quantity=Decimal(4350),
        kind=StockMove.Kind.WASTED,
        by=lead,
        reason="damaged",
        destination="landfill",
    )
    page = report_page(lead, site, site.today())
    chart = page.split('aria-label="Food wasted by reason (kg)">')[1].split("</svg>")[0]
    assert ">4.35 kg</text>" in chart
    table = page.split('aria-label="Wasted by reason"')[1].split("</table>")[0]
    assert '<td class="num">4.35</td>' in table
    received_chart = page.split('aria-label="Food received by category (kg)">')[1].split("</svg>")[
        0
    ]
    assert ">4 kg</text>" in received_chart and ">7.268 kg</text>" in received_chart


def test_the_csv_gives_exact_grams(site, lead, tins_and_rice):
    url = reverse("site_report", args=[site.slug])
    response = client_for(lead).get(url + "?download=received-by-category")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Category", "kg", "grams"],
        ["Canned and dry goods", "4", "4000"],
        ["Grains and bread", "2.267962", "2267.962"],
        ["Total", "6.267962", "6267.962"],
    ]


def test_the_pdf_reads_the_same_figures_as_the_page(site, lead, tins_and_rice):
    url = reverse("site_report", args=[site.slug]) + "?download=pdf"
    body = client_for(lead).get(url).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "6.268 kg" in text and "2.268" in text


def test_a_count_counts_on_the_day_it_was_made(site, lead, tins, noon):
    donate(site, lead, site.today() - timedelta(days=10), (tins, 10, "tins"))
    lot = tins.lots.get(site=site)
    counted_at = datetime.now(UTC) - timedelta(days=4)
    pantry.record_count(site=site, storage=lot.storage, counted={lot.pk: 9}, by=lead, at=counted_at)
    (move,) = StockMove.objects.filter(kind=StockMove.Kind.COUNTED)
    assert move.happened_on == site.local(counted_at).date()
    assert move.at == datetime.now(UTC)  # typed in now

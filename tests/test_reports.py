"""Reports: numbers equal the ledger; bad periods are a 400 with a reason; PDF and CSV."""

import io
from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commonpot.registry import registry
from commonpot.reports import Period
from pantry import services as pantry
from pantry.models import Distribution, Donor, StockMove
from pantry.reports import figures, food_section
from tests.conftest import client_for
from tests.pantry.factories import DonorFactory, beans, rice

# The figures are by day and month: keep the clock away from midnight and month ends
# turning over mid-test (date.today() here, the site's own date in the code).
pytestmark = pytest.mark.usefixtures("noon")


@pytest.fixture(autouse=True)
def _food_section_registered():
    registry.add_report_section(food_section, order=10)


@pytest.fixture
def stocked(site, other_site, lead):
    """A month of pantry life at two sites, with an undo of one move."""
    shop = DonorFactory(site=site, kind=Donor.Kind.SHOP)
    farm = DonorFactory(site=site, kind=Donor.Kind.FARM)
    rice_, beans_ = rice(), beans()
    soon = date.today() + timedelta(days=20)
    pantry.receive(
        site=site,
        item=rice_,
        quantity=Decimal(10000),
        by=lead,
        source="Shop",
        donor=shop,
        best_before=soon,
    )
    pantry.receive(
        site=site,
        item=beans_,
        quantity=Decimal(24),
        by=lead,
        source="Farm",
        donor=farm,
        best_before=soon,
    )
    mistake = pantry.receive(
        site=site,
        item=rice_,
        quantity=Decimal(5000),
        by=lead,
        source="Shop",
        donor=shop,
        best_before=soon,
    )
    pantry.reverse_move(mistake, by=lead)
    pantry.receive(
        site=other_site,
        item=rice_,
        quantity=Decimal(3000),
        by=None,
        source="Farm",
        best_before=soon,
    )
    pantry.distribute(
        site=site,
        recipient=Distribution.Recipient.HOUSEHOLDS,
        given_on=site.today(),
        households=12,
        people=31,
        by=lead,
        lines=[pantry.OutLine(item=rice_, quantity="2", unit="kg")],
    )
    lot = rice_.lots.filter(site=site, on_hand__gt=0).first()
    pantry.discard(lot, reason="spoiled", destination="compost", by=lead, quantity=Decimal(500))
    return {"rice": rice_, "beans": beans_}


def this_month(*sites):
    today = date.today()
    return Period(tuple(sites), today.replace(day=1), today + timedelta(days=1), len(sites) > 1)


def rebuild_from_moves(sites) -> dict:
    """The same numbers, added up one move at a time in Python."""
    totals = {"received": Decimal(0), "distributed": Decimal(0), "wasted": Decimal(0)}
    kinds = {"received": "received", "distributed": "distributed", "wasted": "wasted"}
    for move in StockMove.objects.filter(lot__site__in=sites).select_related("reverses"):
        kind = move.reverses.kind if move.kind == "reversed" else move.kind
        for name, wanted in kinds.items():
            if kind == wanted:
                totals[name] += move.weight_g
    return {name: abs(value) for name, value in totals.items()}


@pytest.mark.django_db
def test_the_food_figures_equal_the_ledger_move_by_move(stocked, site, other_site):
    for sites in ([site], [site, other_site]):
        f = figures(this_month(*sites))
        rebuilt = rebuild_from_moves(sites)
        assert f["received_g"] == rebuilt["received"]
        assert f["distributed_g"] == rebuilt["distributed"]
        assert f["wasted_g"] == rebuilt["wasted"]
    one = figures(this_month(site))
    # 10 kg rice + 24 cans of 415 g; the 5 kg received by mistake was undone.
    assert one["received_g"] == Decimal(10000 + 24 * 415)
    assert one["received_by_donor"] == {
        "Shop or supermarket": Decimal(10000),
        "Farm or grower": Decimal(24 * 415),
    }
    assert (one["households"], one["people"], one["distributed_g"]) == (12, 31, Decimal(2000))
    assert one["wasted_by_reason"] == {"Spoiled": Decimal(500)}
    assert one["wasted_by_destination"] == {"Compost": Decimal(500)}
    assert figures(this_month(site, other_site))["received_g"] == one["received_g"] + 3000


@pytest.mark.django_db
def test_a_coordinator_reads_the_network_report_with_charts(stocked, coordinator):
    page = client_for(coordinator).get(reverse("network_report")).content.decode()
    assert "Received" in page and "22.96 kg" in page  # 10 + 9.96 + 3
    assert "<svg" in page and "Food received by kind of donor" in page


@pytest.mark.django_db
def test_a_lead_reads_their_site_report_and_not_anothers(stocked, lead, site, other_site):
    page = client_for(lead).get(reverse("site_report", args=[site.slug])).content.decode()
    assert "19.96 kg" in page  # 10 kg of rice and 24 cans of 415 g of beans
    assert client_for(lead).get(reverse("site_report", args=[other_site.slug])).status_code == 403
    assert client_for(lead).get(reverse("network_report")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("start=2026-05-01&end=2026-04-01", "ends (2026-04-01) before it starts"),
        ("start=1900-01-01&end=1900-02-01", "outside"),
        ("start=2020-01-01&end=2026-12-31", "at most five years"),
        ("start=yesterday&end=2026-01-01", "'start' must be a date"),
        ("start=2026-01-01", "Give both"),
        ("month=November", "'month' must look like"),
        ("site=atlantis", "There is no site called 'atlantis'"),
        ("download=secret-table", "no table called 'secret-table'"),
    ],
)
def test_a_bad_report_request_is_a_400_with_a_reason(coordinator, site, query, reason):
    response = client_for(coordinator).get(reverse("network_report") + "?" + query)
    assert response.status_code == 400
    assert reason in response.content.decode()


@pytest.mark.django_db
def test_the_monthly_pdf_has_the_figures_and_charts(stocked, coordinator):
    month = date.today().strftime("%Y-%m")
    response = client_for(coordinator).get(
        reverse("network_report") + f"?month={month}&download=pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "The network" in text
    assert "22.96 kg" in text
    assert "Food received by kind of donor" in text


@pytest.mark.django_db
def test_every_table_downloads_as_csv(stocked, lead, site):
    response = client_for(lead).get(
        reverse("site_report", args=[site.slug]) + "?download=received-by-donor"
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Donor,kg,grams"
    assert "Shop or supermarket,10,10000" in lines
    assert "Farm or grower,9.96,9960" in lines
    assert lines[-1] == "Total,19.96,19960"


@pytest.mark.django_db
def test_volunteer_hours_and_shifts_filled_against_need(site, lead, volunteer, outsider):
    from datetime import datetime

    from volunteers.models import Shift, ShiftRole, SignUp
    from volunteers.reports import figures as volunteer_figures

    role = ShiftRole.objects.create(site=site, name="Cook")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    shift = Shift.objects.create(
        site=site,
        role=role,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        min_people=3,
        max_people=4,
        is_published=True,
    )
    for person, attendance, hours in ((volunteer, "attended", 3), (outsider, "missed", None)):
        SignUp.objects.create(
            shift=shift,
            volunteer=person,
            status="confirmed",
            attendance=attendance,
            hours_credited=hours,
        )
    Shift.objects.filter(pk=shift.pk).update(places_taken=2)
    f = volunteer_figures(
        Period((site,), start.date() - timedelta(days=1), date.today() + timedelta(days=1), False)
    )
    assert (f["shifts"], f["places_needed"], f["places_filled"]) == (1, 3, 2)
    assert (f["hours"], f["attended"], f["missed"], f["shifts_under_minimum"]) == (3, 1, 1, 1)
    query = f"?start={start.date() - timedelta(days=1)}&end={date.today()}"
    page = client_for(lead).get(reverse("site_report", args=[site.slug]) + query)
    assert "Hours given" in page.content.decode() and "2 / 3" in page.content.decode()

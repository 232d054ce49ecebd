"""A site in US customary measures: its pages, papers and files read lb, oz, gal and
fl oz; its forms start in pounds; stock stays exact in grams and millilitres."""

import csv
import io
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commonpot import measures
from commonpot.models import Site
from pantry import services
from pantry.models import Donation, Lot, Measures, PantrySettings
from pantry.units import display, display_weight, fitting_units, to_base, typed_back
from tests.conftest import client_for
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.pantry.factories import ItemFactory
from tests.pantry.test_donations import form_data

pytestmark = pytest.mark.django_db

FIVE_LB_G = Decimal("2267.962")  # 5 lb, as stored


@pytest.fixture
def brooklyn(db):
    site = SiteFactory(
        name="Maple Street Pantry",
        slug="maple-street",
        kind="pantry",
        city="Brooklyn",
        country="US",
        time_zone="America/New_York",
    )
    PantrySettings.objects.filter(site=site).update(measures=Measures.US)
    return Site.objects.get(pk=site.pk)


@pytest.fixture
def tom(brooklyn):
    user = UserFactory(username="tom", display_name="Tom Brooks")
    MembershipFactory(user=user, site=brooklyn, role="lead")
    return user


@pytest.fixture
def tins(db):
    return ItemFactory(
        name="Chopped tomatoes", base_unit="piece", piece_name="tin", weight_per_piece_g=400
    )


def receive(site, item, quantity, **kwargs):
    return services.receive(
        site=site, item=item, quantity=Decimal(quantity), by=None, source="Test", **kwargs
    ).lot


def page(client, name, site, *args, **params) -> str:
    response = client.get(reverse(name, args=[site.slug, *args] if site else []), params)
    assert response.status_code == 200
    return response.content.decode()


# --- Writing quantities --------------------------------------------------------------


@pytest.mark.parametrize(
    ("grams", "metric", "us"),
    [
        ("2267.962", "2.268 kg", "5 lb"),  # 5 lb of rice
        ("4000", "4 kg", "8.82 lb"),  # 10 tins of 400 g
        ("453.592", "453.592 g", "1 lb"),
        ("400", "400 g", "14.1 oz"),  # under a pound: ounces
        ("453", "453 g", "1 lb"),  # 15.98 oz would read 16 oz: a pound
        ("14969", "14.969 kg", "33 lb"),
        ("1", "1 g", "0.04 oz"),  # under an ounce: to the hundredth
        ("1000000", "1,000 kg", "2,204.62 lb"),
    ],
)
def test_weights_read_in_each_sites_measures(item_rice, grams, metric, us):
    assert display(Decimal(grams), item_rice, measures="metric") == metric
    assert display(Decimal(grams), item_rice, measures="us") == us
    assert display_weight(Decimal(grams), measures="us") == us


@pytest.mark.parametrize(
    ("ml", "metric", "us"),
    [
        ("354.882", "354.882 ml", "12 fl oz"),
        ("1000", "1 L", "33.8 fl oz"),  # under a gallon: fluid ounces
        ("3785.412", "3.785 L", "1 gal"),
        ("6000", "6 L", "1.59 gal"),
        ("5", "5 ml", "0.17 fl oz"),
    ],
)
def test_volumes_read_in_each_sites_measures(item_milk, ml, metric, us):
    assert display(Decimal(ml), item_milk, measures="metric") == metric
    assert display(Decimal(ml), item_milk, measures="us") == us


def test_pieces_stay_pieces_with_their_weight_in_pounds(tins):
    assert display(Decimal(10), tins, measures="us") == "10 tins"
    assert display_weight(tins.weight_g(Decimal(10)), measures="us") == "8.82 lb"


def test_quantities_read_metric_unless_us_measures_are_active(item_rice):
    assert display(FIVE_LB_G, item_rice) == "2.268 kg"
    with measures.override("us"):
        assert display(FIVE_LB_G, item_rice) == "5 lb"
        # An explicit choice wins over the active one.
        assert display(FIVE_LB_G, item_rice, measures="metric") == "2.268 kg"
    assert display(FIVE_LB_G, item_rice) == "2.268 kg"


@pytest.mark.parametrize(
    ("quantity", "unit", "ml"),
    [
        ("12", "fl oz", "354.882"),
        ("12", "fluid ounces", "354.882"),
        ("1", "gal", "3785.412"),
        ("1", "Gal", "3785.412"),  # not pint's galileo
        ("2", "QT", "1892.706"),  # not a quettatesla
        ("1", "Pt", "473.176"),  # not a petametric ton
        ("3", "ML", "3.000"),  # millilitres, not megalitres
        ("1", "UK pint", "568.261"),
        ("1", "imperial gallon", "4546.090"),
    ],
)
def test_us_and_british_volumes_are_read_whatever_their_case(item_milk, quantity, unit, ml):
    assert to_base(quantity, unit, item_milk) == Decimal(ml)


@pytest.mark.parametrize(
    ("grams", "measures_", "typed"),
    [
        ("2267.962", "us", ("5", "lb")),
        ("4000", "us", ("8.81849", "lb")),  # not 8.82 lb, which is 4000.6 g
        ("400", "us", ("14.1096", "oz")),
        ("4000", "metric", ("4", "kg")),
        ("2267.962", "metric", ("2.267962", "kg")),  # not 2.268 kg
    ],
)
def test_a_form_filled_in_for_a_person_reads_back_exactly(item_rice, grams, measures_, typed):
    assert typed_back(Decimal(grams), item_rice, measures_) == typed
    assert to_base(typed[0], typed[1], item_rice) == Decimal(grams)


def test_a_us_site_offers_pounds_and_gallons_first(item_rice, item_milk, item_beans):
    assert fitting_units(item_rice, "us")[0] == "lb"
    assert fitting_units(item_milk, "us")[0] == "gal"
    assert fitting_units(item_beans, "us") == ["cans", "lb", "kg"]
    assert fitting_units(item_rice, "metric")[0] == "kg"


# --- A US site's pages ---------------------------------------------------------------


def test_a_us_sites_stock_page_reads_pounds(brooklyn, tom, item_rice, tins):
    receive(brooklyn, item_rice, FIVE_LB_G)
    receive(brooklyn, tins, 10)
    text = page(client_for(tom), "pantry:stock", brooklyn)
    assert "5 lb" in text and "10 tins" in text and "8.82 lb" in text
    assert "2.268 kg" not in text and "4 kg" not in text


def test_a_metric_sites_stock_page_is_unchanged(site, lead, item_rice, tins):
    receive(site, item_rice, FIVE_LB_G)
    receive(site, tins, 10)
    text = page(client_for(lead), "pantry:stock", site)
    assert "2.268 kg" in text and "10 tins" in text and "4 kg" in text
    assert " lb" not in text


def test_a_us_sites_lot_page_reads_pounds_and_keeps_grams_exact(brooklyn, tom, item_rice):
    lot = receive(brooklyn, item_rice, FIVE_LB_G)
    text = page(client_for(tom), "pantry:lot", brooklyn, lot.pk)
    assert "5 lb" in text and " kg" not in text
    assert Lot.objects.get(pk=lot.pk).on_hand == FIVE_LB_G


def test_a_coordinator_sees_each_site_in_its_own_measures(brooklyn, site, coordinator, item_rice):
    receive(brooklyn, item_rice, FIVE_LB_G)
    receive(site, item_rice, FIVE_LB_G)
    client = client_for(coordinator)
    assert "5 lb" in page(client, "pantry:stock", brooklyn)
    # The next page, of a metric site, does not keep the last one's measures.
    text = page(client, "pantry:stock", site)
    assert "2.268 kg" in text and "5 lb" not in text


def test_a_us_site_logs_5_lb_and_12_fl_oz(brooklyn, tom, item_rice, item_milk):
    client = client_for(tom)
    form = page(client, "pantry:donation_new", brooklyn)
    assert 'name="lines-0-unit" value="lb"' in form
    assert '<option value="fl oz">' in form
    data = form_data(
        brooklyn,
        [
            {"item": "Rice", "quantity": "5", "unit": "lb"},
            {"item": "Milk", "quantity": "12", "unit": "fl oz"},
        ],
    )
    response = client.post(reverse("pantry:donation_new", args=[brooklyn.slug]), data)
    assert response.status_code == 302
    assert Lot.objects.get(item=item_rice).on_hand == FIVE_LB_G
    assert Lot.objects.get(item=item_milk).on_hand == Decimal("354.882")
    donation = Donation.objects.get()
    text = client.get(donation.get_absolute_url()).content.decode()
    assert "5 lb" in text and "12 fl oz" in text
    # 5 lb of rice and 354.882 ml of milk at 1.03 g/ml (365.528 g, 12.89 oz): 5.81 lb.
    assert "5.81 lb" in text

    receipt = client.get(reverse("pantry:donation_receipt", args=[brooklyn.slug, donation.pk]))
    pdf = PdfReader(BytesIO(receipt.content)).pages[0].extract_text()
    assert "5 lb" in pdf and "12 fl oz" in pdf and "5.81 lb" in pdf and " kg" not in pdf


def test_a_metric_sites_form_still_starts_in_kilograms(site, lead):
    form = page(client_for(lead), "pantry:donation_new", site)
    assert 'name="lines-0-unit" value="kg"' in form


def test_a_us_sites_count_sheet_reads_pounds(brooklyn, tom, item_rice):
    receive(brooklyn, item_rice, FIVE_LB_G)
    response = client_for(tom).get(reverse("pantry:count_sheet", args=[brooklyn.slug, "dry"]))
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "5 lb" in text


def test_a_us_sites_stock_export_adds_pounds_beside_the_exact_kilograms(
    brooklyn, tom, site, lead, item_rice
):
    receive(brooklyn, item_rice, FIVE_LB_G)
    receive(site, item_rice, FIVE_LB_G)

    def rows(user, where):
        response = client_for(user).get(reverse("pantry:stock_csv", args=[where.slug]))
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    (us,) = rows(tom, brooklyn)
    assert (us["on_hand"], us["unit"], us["weight_kg"], us["weight_lb"]) == (
        "2267.962",
        "g",
        "2.268",
        "5.000",
    )
    (metric,) = rows(lead, site)
    assert metric["weight_kg"] == "2.268" and "weight_lb" not in metric


# --- Reports ---------------------------------------------------------------------------


def test_a_us_sites_report_reads_pounds_and_its_csv_keeps_the_grams(brooklyn, tom, item_rice, tins):
    receive(brooklyn, item_rice, FIVE_LB_G)
    receive(brooklyn, tins, 10)
    client = client_for(tom)
    url = reverse("site_report", args=[brooklyn.slug])
    text = client.get(url).content.decode()
    # 5 lb + 8.82 lb received, to the hundredth of a pound under 20 lb.
    assert "13.82 lb" in text and "Food received by category (lb)" in text
    assert " kg" not in text
    table = client.get(url, {"download": "received-by-category"}).content.decode()
    lines = table.splitlines()
    assert lines[0] == "Category,lb,grams"
    assert lines[-1] == "Total,13.8185,6267.962"


def test_a_metric_sites_report_reads_kilograms(site, lead, item_rice, tins):
    receive(site, item_rice, FIVE_LB_G)
    receive(site, tins, 10)
    text = client_for(lead).get(reverse("site_report", args=[site.slug])).content.decode()
    assert "6.268 kg" in text and " lb" not in text


# --- Pages about many sites ----------------------------------------------------------------


def test_the_coordinators_dashboard_reads_kilograms_while_the_network_is_mixed(
    brooklyn, site, coordinator, item_rice
):
    receive(brooklyn, item_rice, "4535.924")  # 10 lb
    receive(site, item_rice, "4535.924")
    text = page(client_for(coordinator), "network:dashboard", None)
    assert "9.1 kg</strong> on hand" in text and "Stock by site and category (kg)" in text


def test_the_coordinators_dashboard_reads_pounds_when_every_site_works_in_pounds(
    brooklyn, site, coordinator, item_rice
):
    PantrySettings.objects.filter(site=site).update(measures=Measures.US)
    receive(brooklyn, item_rice, "4535.924")
    receive(site, item_rice, "4535.924")
    text = page(client_for(coordinator), "network:dashboard", None)
    assert "20 lb</strong> on hand" in text and "Stock by site and category (lb)" in text


def test_the_network_report_of_one_site_reads_in_that_sites_measures(
    brooklyn, site, coordinator, item_rice
):
    receive(brooklyn, item_rice, FIVE_LB_G)
    client = client_for(coordinator)
    one = client.get(reverse("network_report"), {"site": brooklyn.slug}).content.decode()
    assert "5 lb" in one
    network = client.get(reverse("network_report")).content.decode()
    assert "2.268 kg" in network


def test_pages_about_many_sites_read_in_the_viewers_own_measures(
    brooklyn, tom, site, lead, coordinator, outsider
):
    assert measures.viewer_measures(tom) == measures.US
    assert measures.viewer_measures(lead) == measures.METRIC
    # A coordinator who leads no site: the network's, metric while it is mixed.
    assert measures.viewer_measures(coordinator) == measures.METRIC
    assert measures.viewer_measures(outsider) == measures.METRIC


def test_a_coordinator_reads_pounds_only_when_every_active_site_works_in_pounds(
    brooklyn, site, coordinator
):
    PantrySettings.objects.filter(site=site).update(measures=Measures.US)
    assert measures.viewer_measures(coordinator) == measures.US
    # A closed site does not count; a new active site with no settings kept is metric.
    SiteFactory(name="Closed Kitchen", slug="closed", is_active=False)
    assert measures.viewer_measures(coordinator) == measures.US
    newcomer = SiteFactory(name="New Hall", slug="new-hall")
    PantrySettings.objects.filter(site=newcomer).delete()
    assert measures.viewer_measures(coordinator) == measures.METRIC

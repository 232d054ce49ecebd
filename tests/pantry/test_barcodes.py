"""Barcodes on the donation and distribution forms: reading GS1 codes and UPC-E, filling a
line from one (with htmx and without JavaScript), and the printed lot label with its QR code."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from pantry.barcodes import BarcodeError, Scan, read_barcode
from pantry import services
from pantry.models import Distribution, Donation, Item, Lot
from pantry.pdf import lot_label_context
from tests.conftest import client_for
from tests.pantry.test_distributions import form_data as distribution_form
from tests.pantry.test_donations import form_data

pytestmark = pytest.mark.django_db

GS = "\x1d"
# Rice in the test catalog has barcode 5012345678900; 4006381333931 is in no catalog.
RICE_DATAMATRIX = f"]d2010501234567890010ABC123{GS}153012313103000250"
UNKNOWN_DATAMATRIX = f"010400638133393110XY9{GS}17270115"


# --- Reading codes ---------------------------------------------------------------


def test_a_gs1_datamatrix_gives_the_product_lot_best_before_and_weight():
    assert read_barcode(RICE_DATAMATRIX) == Scan(
        gtin="5012345678900",
        lot_code="ABC123",
        best_before=date(2030, 12, 31),
        net_weight=Decimal("0.250"),
        weight_unit="kg",
    )


def test_a_use_by_date_is_kept_as_use_by():
    scan = read_barcode("(01)05012345678900(17)260200(10)L42(3102)001250")
    assert scan.use_by == date(2026, 2, 28)  # day 00: the end of the month
    assert (scan.lot_date, scan.date_kind) == (date(2026, 2, 28), "use_by")
    assert (scan.lot_code, scan.net_weight) == ("L42", Decimal("12.50"))


def test_a_gs1_digital_link_url_is_read():
    scan = read_barcode("https://id.gs1.org/01/05012345678900/10/AB%2F7?15=270301")
    assert (scan.gtin, scan.lot_code, scan.best_before) == (
        "5012345678900",
        "AB/7",
        date(2027, 3, 1),
    )


@pytest.mark.parametrize("code", ["5012345678900", "036000291452", "96385074"])
def test_a_plain_ean_or_upc_names_the_product_only(code):
    assert read_barcode(code) == Scan(gtin=code)


@pytest.mark.parametrize("code", ["5012345678901", "(01)05012345678901(10)A", "0105012345678901"])
def test_a_wrong_check_digit_is_refused_with_a_reason(code):
    with pytest.raises(BarcodeError, match="wrong check digit"):
        read_barcode(code)


@pytest.mark.parametrize("code", ["hello", "12345", "https://example.org/tins", "QR-LOT-7"])
def test_a_code_that_is_not_gs1_is_refused_with_a_reason(code):
    with pytest.raises(BarcodeError, match="not a product barcode"):
        read_barcode(code)


def test_a_gs1_code_without_a_product_number_is_refused():
    with pytest.raises(BarcodeError, match="names no product"):
        read_barcode("(00)123456789012345675")


def test_the_catalog_finds_an_item_whatever_the_leading_zeros(item_rice):
    assert Item.objects.with_gtin("05012345678900").get() == item_rice
    assert Item.objects.with_gtin("5012345678900").get() == item_rice


# --- Filling a line: htmx ----------------------------------------------------------


def fill(lead, site, code, **line):
    params = {"line": "lines-0", "lines-0-barcode": code, "lines-0-unit": "kg", **line}
    return client_for(lead).get(
        reverse("pantry:barcode_fill", args=[site.slug]), params, HTTP_HX_REQUEST="true"
    )


def nothing_written():
    return not Donation.objects.exists() and not Lot.objects.exists()


def test_scanning_a_known_product_fills_the_line(site, lead, item_rice):
    response = fill(lead, site, "(01)05012345678900(10)ABC123(17)261231(3103)000250")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="lines-0-item" value="Rice"' in page
    assert 'name="lines-0-code" value="ABC123"' in page
    assert 'name="lines-0-best_before" value="2026-12-31"' in page
    assert '<option value="use_by" selected>' in page
    assert 'name="lines-0-quantity" value="0.25"' in page
    assert "Filled from the barcode: Rice" in page
    assert nothing_written()


def test_scanning_an_unknown_product_leaves_the_item_empty_and_offers_the_catalog(
    site, lead, item_rice
):
    response = fill(lead, site, UNKNOWN_DATAMATRIX, **{"lines-0-item": "Rice"})
    page = response.content.decode()
    assert "No item has barcode 4006381333931; " in page
    assert f"{reverse('pantry:item_new')}?gtin=4006381333931" in page
    assert 'name="lines-0-item" value="Rice"' not in page
    assert 'name="lines-0-code" value="XY9"' in page
    assert nothing_written()


def test_a_bad_code_fills_nothing_and_says_why(site, lead, item_rice):
    response = fill(lead, site, "5012345678901", **{"lines-0-quantity": "3"})
    page = response.content.decode()
    assert "wrong check digit" in page and 'role="alert"' in page
    assert 'name="lines-0-item" value' not in page
    assert 'name="lines-0-quantity" value="3"' in page  # what was typed stays
    assert nothing_written()


def test_an_empty_box_leaves_the_line_alone(site, lead):
    assert fill(lead, site, "  ").status_code == 204


def test_a_line_that_is_not_on_the_form_is_refused(site, lead):
    url = reverse("pantry:barcode_fill", args=[site.slug])
    for line in ["", "lines-x", "other-0", "lines-60"]:
        assert client_for(lead).get(url, {"line": line}).status_code == 400


# --- Filling a line: without JavaScript ---------------------------------------------


def one_line(site, **line):
    return form_data(site, [{"item": "", "quantity": "", **line}])


def test_fill_from_barcode_without_javascript_posts_back_the_filled_form(site, lead, item_rice):
    url = reverse("pantry:donation_new", args=[site.slug])
    data = one_line(site, barcode=RICE_DATAMATRIX) | {"fill": "lines-0"}
    response = client_for(lead).post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and nothing_written()
    assert 'name="lines-0-item" value="Rice"' in page
    assert 'name="lines-0-code" value="ABC123"' in page
    assert 'name="lines-0-best_before" value="2030-12-31"' in page
    assert 'name="lines-0-quantity" value="0.25"' in page

    # The lead saves what was filled in: the lot keeps the pack's lot code.
    saved = one_line(
        site,
        barcode=RICE_DATAMATRIX,
        item="Rice",
        code="ABC123",
        best_before="2030-12-31",
        date_kind="best_before",
        quantity="0.25",
    ) | {"save": "1"}
    assert client_for(lead).post(url, saved).status_code == 302
    lot = Lot.objects.get()
    assert (lot.item, lot.code, lot.best_before, lot.on_hand) == (
        item_rice,
        "ABC123",
        date(2030, 12, 31),
        Decimal("250"),
    )


def test_a_bad_code_without_javascript_says_why_on_its_line(site, lead, item_rice):
    url = reverse("pantry:donation_new", args=[site.slug])
    data = one_line(site, barcode="not-a-barcode") | {"fill": "lines-0"}
    response = client_for(lead).post(url, data)
    assert "is not a product barcode" in response.content.decode()
    assert nothing_written()


def test_a_typed_14_digit_gtin_finds_the_13_digit_item(site, lead, item_rice):
    url = reverse("pantry:donation_new", args=[site.slug])
    data = one_line(site, item="05012345678900", quantity="2") | {"save": "1"}
    assert client_for(lead).post(url, data).status_code == 302
    assert Lot.objects.get().item == item_rice


def test_the_item_form_takes_the_scanned_barcode(lead):
    page = client_for(lead).get(reverse("pantry:item_new"), {"gtin": "4006381333931"})
    assert 'value="4006381333931"' in page.content.decode()


def test_only_the_donation_form_may_run_the_webassembly_decoder(site, lead):
    client = client_for(lead)
    form = client.get(reverse("pantry:donation_new", args=[site.slug]))
    listing = client.get(reverse("pantry:donations", args=[site.slug]))
    assert "'wasm-unsafe-eval'" in form["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" not in listing["Content-Security-Policy"]
    page = form.content.decode()
    assert "vendor/barcode-detector/zxing_reader.wasm" in page and "js/scan.js" in page


# --- Lot labels -----------------------------------------------------------------------


@pytest.fixture
def coded_lot(site, lead, item_rice):
    url = reverse("pantry:donation_new", args=[site.slug])
    data = one_line(
        site, item="Rice", code="ABC123", best_before="2030-12-31", date_kind="use_by", quantity="5"
    )
    client_for(lead).post(url, data | {"save": "1"})
    return Lot.objects.get()


def test_a_lot_label_carries_a_qr_code_of_the_lot_page(site, lead, coded_lot):
    lot_url = settings.SITE_URL + coded_lot.get_absolute_url()
    html = render_to_string("pantry/pdf/lot_label.html", lot_label_context(site, coded_lot))
    expected = segno.make(lot_url, error="m", micro=False).svg_inline(scale=0.8, unit="mm")
    assert expected in html

    response = client_for(lead).get(reverse("pantry:lot_label", args=[site.slug, coded_lot.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    for words in ["Rice", f"#{coded_lot.pk}", "ABC123", "Use by", site.name]:
        assert words in text


def test_the_lot_page_links_to_its_label(site, lead, coded_lot):
    page = client_for(lead).get(coded_lot.get_absolute_url()).content.decode()
    assert reverse("pantry:lot_label", args=[site.slug, coded_lot.pk]) in page


# --- UPC-E: a UPC-A with its zeros left out ---------------------------------------------


@pytest.mark.parametrize("code", ["04252614", "0425261", "425261"])
def test_a_upc_e_is_read_as_the_upc_a_it_stands_for(code):
    # As printed (8 digits), without the check digit (7), or as bare as some readers give it (6).
    assert read_barcode(code).gtins[0] == "042100005264"


def test_an_8_digit_code_that_reads_both_ways_finds_either_catalog_entry(site, lead):
    # 12345670 is a valid EAN-8 and a valid UPC-E (for the UPC-A 123456000070).
    upc_a = Item.objects.create(name="Crackers", category="dry", gtin="123456000070")
    assert read_barcode("12345670").gtins == ("12345670", "123456000070")
    assert Item.objects.for_gtins(read_barcode("12345670").gtins) == upc_a
    ean_8 = Item.objects.create(name="Biscuits", category="dry", gtin="12345670")
    assert Item.objects.for_gtins(read_barcode("12345670").gtins) == ean_8  # the likelier first


def test_a_scanned_upc_e_fills_the_item_kept_under_its_upc_a(site, lead):
    Item.objects.create(name="Soup", category="tins", gtin="042100005264")
    page = fill(lead, site, "04252614").content.decode()
    assert 'name="lines-0-item" value="Soup"' in page


def test_typing_a_upc_e_in_the_item_box_finds_the_item(site, lead):
    soup = Item.objects.create(name="Soup", category="tins", base_unit="g", gtin="042100005264")
    url = reverse("pantry:donation_new", args=[site.slug])
    data = one_line(site, item="04252614", quantity="2", unit="kg") | {"save": "1"}
    assert client_for(lead).post(url, data).status_code == 302
    assert Lot.objects.get().item == soup


# --- Giving food out by barcode -------------------------------------------------------------


def fill_distribution(lead, site, code, **line):
    params = {"line": "lines-0", "lines-0-barcode": code, "lines-0-unit": "kg", **line}
    return client_for(lead).get(
        reverse("pantry:distribution_barcode_fill", args=[site.slug]),
        params,
        HTTP_HX_REQUEST="true",
    )


def test_scanning_a_pack_on_the_distribution_form_picks_its_lot(site, lead, item_rice, stock):
    packed = stock["make"]("1000", 60, code="ABC123")
    page = fill_distribution(lead, site, RICE_DATAMATRIX).content.decode()
    assert 'name="lines-0-item" value="Rice"' in page
    assert f'name="lines-0-lot" value="{packed.pk}"' in page
    assert f"from lot #{packed.pk}" in page
    assert "Filled from the barcode: Rice, lot ABC123" in page


def test_a_pack_whose_lot_is_not_here_gives_from_the_first_to_expire(
    site, lead, item_rice, stock, other_site, other_lead
):
    elsewhere = services.receive(
        site=other_site,
        item=item_rice,
        quantity=Decimal(500),
        by=other_lead,
        source="Test intake",
        code="ABC123",
    ).lot
    page = fill_distribution(lead, site, RICE_DATAMATRIX).content.decode()
    assert 'name="lines-0-item" value="Rice"' in page
    assert f'value="{elsewhere.pk}"' not in page  # another site's lot is never picked
    assert "No lot ABC123 of it is here, so it is given from the first to expire" in page


def test_a_pack_not_in_the_catalog_fills_nothing_on_the_distribution_form(site, lead, stock):
    page = fill_distribution(lead, site, UNKNOWN_DATAMATRIX).content.decode()
    assert "No item in the catalog has barcode 4006381333931" in page
    assert 'role="alert"' in page and 'name="lines-0-item" value' not in page


def test_giving_out_a_scanned_pack_without_javascript_takes_from_its_lot(
    site, lead, item_rice, stock
):
    packed = stock["make"]("1000", 60, code="ABC123")
    url = reverse("pantry:distribution_new", args=[site.slug])
    data = distribution_form(site, [{"item": "", "quantity": "", "barcode": RICE_DATAMATRIX}])
    page = client_for(lead).post(url, data | {"fill": "lines-0"}).content.decode()
    assert f'name="lines-0-lot" value="{packed.pk}"' in page
    assert not Distribution.objects.exists()

    filled = {"item": "Rice", "quantity": "0.25", "lot": str(packed.pk)}
    assert client_for(lead).post(url, distribution_form(site, [filled])).status_code == 302
    packed.refresh_from_db()
    stock["soon"].refresh_from_db()
    assert (packed.on_hand, stock["soon"].on_hand) == (Decimal(750), Decimal(2000))

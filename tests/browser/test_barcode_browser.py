"""Scanning on a phone: a GS1 DataMatrix fills a donation line, typed (as a scanner gun
types it), read from a photo, or seen by the camera (Chromium's fake camera, playing a
picture of the code), the last two by the vendored decoder (Chromium on Linux has no
BarcodeDetector)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from commonpot.models import Membership
from pantry.models import Lot
from tests.browser.conftest import ARGS, CHROMIUM, _refused_by_policy, log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.pantry.factories import rice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Drawn by tests/data/barcodes/make_gs1_datamatrix.py: (01) 05012345678900 (10) ABC123
# (15) 2030-06-30 (3103) 0.250 kg.
DATAMATRIX_PNG = Path(__file__).parents[1] / "data" / "barcodes" / "gs1-datamatrix.png"


def open_the_donation_form(page):
    site = SiteFactory(name="Riverside Pantry", slug="riverside")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    rice()  # barcode 5012345678900
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/sites/{site.slug}/donations/new/")
    return site


@pytest.fixture
def lead_at_the_door(phone):
    return open_the_donation_form(phone)


@pytest.fixture
def phone_with_camera(browser, live_server, tmp_path):
    """A phone whose camera sees the GS1 DataMatrix (Chromium plays an MJPEG file as
    its camera; the page is allowed to use it)."""
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(Image.open(DATAMATRIX_PNG).convert("RGB"), (200, 120))
    video = tmp_path / "camera.mjpeg"
    with video.open("wb") as out:
        for _ in range(5):
            frame.save(out, "JPEG", quality=95)
    camera = [
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with_camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[*ARGS, *camera])
    context = with_camera.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 780},
        is_mobile=True,
        has_touch=True,
    )
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _refused_by_policy(page)
    yield page
    with_camera.close()
    assert not refused, refused


def expect_rice_filled(line) -> None:
    expect(line.get_by_label("Item")).to_have_value("Rice")
    expect(line.get_by_label("Lot code")).to_have_value("ABC123")
    expect(line.get_by_label("Best before or use by")).to_have_value("2030-06-30")
    expect(line.get_by_label("Kind of date")).to_have_value("best_before")
    expect(line.get_by_label("Quantity")).to_have_value("0.25")
    expect(line.get_by_label("Unit")).to_have_value("kg")


def test_a_typed_gs1_datamatrix_fills_the_line_and_the_donation_keeps_the_lot_code(
    phone, lead_at_the_door
):
    phone.evaluate("window.stillTheSamePage = true")
    line = phone.get_by_role("group", name="Line 1")
    # A scanner gun types the code's text, FNC1 as the GS character, then Enter.
    box = line.get_by_role("textbox", name="Barcode")
    box.fill("010501234567890010ABC123\x1d153006303103000250")
    box.press("Enter")
    expect(line.get_by_text("Filled from the barcode: Rice")).to_be_visible()
    expect_rice_filled(line)
    assert phone.evaluate("window.stillTheSamePage") is True

    phone.get_by_role("button", name="Log the donation").click()
    expect(phone.get_by_text("Donation logged: 1 line")).to_be_visible()
    lot = Lot.objects.get()
    assert (lot.code, lot.best_before, lot.on_hand) == ("ABC123", date(2030, 6, 30), Decimal(250))


def test_a_bad_barcode_fills_nothing_and_says_why(phone, lead_at_the_door):
    line = phone.get_by_role("group", name="Line 1")
    line.get_by_role("textbox", name="Barcode").fill("(01)05012345678901(10)ABC123")
    line.get_by_role("button", name="Fill from barcode").click()
    expect(line.get_by_role("alert")).to_contain_text("wrong check digit")
    expect(line.get_by_label("Item")).to_have_value("")


def test_a_photo_of_a_gs1_datamatrix_is_decoded_on_the_phone(phone, lead_at_the_door):
    line = phone.get_by_role("group", name="Line 1")
    photo = line.get_by_label("Take a photo of the barcode")
    expect(photo).to_be_attached()
    photo.set_input_files(str(DATAMATRIX_PNG))
    # Decoded by the vendored ZXing WebAssembly, loaded from our static files.
    expect(line.get_by_text("Filled from the barcode: Rice")).to_be_visible(timeout=20_000)
    expect_rice_filled(line)
    expect(line.get_by_role("textbox", name="Barcode")).to_have_value(
        "010501234567890010ABC123\x1d153006303103000250"
    )


def test_the_camera_reads_a_gs1_datamatrix_and_fills_the_line(phone_with_camera):
    open_the_donation_form(phone_with_camera)
    line = phone_with_camera.get_by_role("group", name="Line 1")
    line.get_by_role("button", name="Scan", exact=True).click()
    expect(line.get_by_text("Filled from the barcode: Rice")).to_be_visible(timeout=20_000)
    expect_rice_filled(line)


def test_without_javascript_the_typed_barcode_fills_the_line_on_a_post_back(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    open_the_donation_form(page)
    line = page.get_by_role("group", name="Line 1")
    # The camera and photo buttons need the script: they are not offered.
    expect(line.get_by_role("button", name="Scan", exact=True)).to_be_hidden()
    expect(line.get_by_text("Take a photo of the barcode")).to_be_hidden()
    line.get_by_role("textbox", name="Barcode").fill("(01)05012345678900(10)ABC123(15)300630")
    line.get_by_role("button", name="Fill from barcode").click()
    line = page.get_by_role("group", name="Line 1")
    expect(line.get_by_text("Filled from the barcode: Rice")).to_be_visible()
    expect(line.get_by_label("Lot code")).to_have_value("ABC123")
    line.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Log the donation").click()
    expect(page.get_by_text("Donation logged: 1 line")).to_be_visible()
    assert Lot.objects.get().code == "ABC123"
    context.close()

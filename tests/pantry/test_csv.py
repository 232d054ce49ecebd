"""Spreadsheets: stock and moves out; donations in, all rows or none."""

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pantry import services
from pantry.models import Donation, Donor, Lot
from tests.conftest import client_for
from tests.pantry.factories import DonorFactory

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_stock_exports_one_row_per_lot_with_weights(site, lead, item_rice, stock):
    rows = read_csv(client_for(lead).get(reverse("pantry:stock_csv", args=[site.slug])))
    assert [(r["item"], r["on_hand"], r["weight_kg"]) for r in rows] == [
        ("Rice", "2000.000", "2.000"),
        ("Rice", "3000.000", "3.000"),
    ]


def test_moves_export_every_move_with_who_and_a_date_range(site, lead, item_rice, stock):
    services.take_stock(site=site, item=item_rice, quantity=100, kind="cooked", by=lead)
    url = reverse("pantry:moves_csv", args=[site.slug])
    rows = read_csv(client_for(lead).get(url))
    assert [r["kind"] for r in rows] == ["received", "received", "cooked"]
    assert rows[2]["quantity"] == "-100.000" and rows[2]["by"] == "Lena Lead"
    tomorrow = (site.today() + timedelta(days=1)).isoformat()
    assert read_csv(client_for(lead).get(url, {"from": tomorrow})) == []


def test_a_formula_in_a_name_is_not_run_by_the_spreadsheet(site, lead):
    from tests.pantry.factories import ItemFactory

    item = ItemFactory(name="=HYPERLINK(1)")
    services.receive(site=site, item=item, quantity=1, by=lead, source="@evil")
    rows = read_csv(client_for(lead).get(reverse("pantry:stock_csv", args=[site.slug])))
    assert rows[0]["item"] == "'=HYPERLINK(1)" and rows[0]["source"] == "'@evil"


HEADER = "received_on,donor,donor_kind,item,quantity,unit,best_before,date_kind,storage\n"


def upload(client, site, text: str, token=None):
    url = reverse("pantry:donation_import", args=[site.slug])
    return client.post(
        url,
        {
            "token": str(token or uuid.uuid4()),
            "file": SimpleUploadedFile("donations.csv", text.encode(), content_type="text/csv"),
        },
    )


def test_a_spreadsheet_of_donations_is_imported_one_donation_per_day_and_donor(
    site, lead, item_rice, item_beans
):
    DonorFactory(site=site, name="Harbourside Co-op")
    day = (site.today() - timedelta(days=1)).isoformat()
    text = HEADER + (
        f"{day},Harbourside Co-op,,Rice,5,kg,2031-01-01,,\n"
        f"{day},harbourside co-op,,5012345678900,2,lb,2031-01-01,,\n"
        f"{day},Meadow Farm,farm,Baked beans,24,cans,,,\n"
        f"{day},,,Rice,1,kg,,best before,dry\n"
    )
    response = upload(client_for(lead), site, text)
    assert response.status_code == 302
    assert Donation.objects.count() == 3
    assert Donor.objects.get(site=site, name="Meadow Farm").kind == "farm"
    assert Donation.objects.filter(donor__isnull=True).count() == 1
    # 5 kg + 2 lb (907.185 g) + 1 kg
    rice_held = Lot.objects.filter(item=item_rice).values_list("on_hand", flat=True)
    assert sum(rice_held) == Decimal("6907.185")


def test_a_spreadsheet_with_bad_rows_lists_each_and_imports_nothing(site, lead, item_rice):
    text = HEADER + (
        "2026-01-05,,,Rice,5,kg,,,\n"
        "05/01/2026,,,Rice,5,kg,,,\n"
        "2026-01-05,,,Unicorn steaks,5,kg,,,\n"
        "2026-01-05,,,Rice,-5,kg,,,\n"
        "2026-01-05,,,Rice,5,gallons,,,\n"
        "2026-01-05,New Shop,,Rice,5,kg,,,\n"
        "2026-01-05,,,Rice,5,kg,2026-13-01,use_by,freezer\n"
    )
    response = upload(client_for(lead), site, text)
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert "Nothing was imported" in page
    assert "Row 3: Received_on '05/01/2026' is not a date" in page
    assert "Row 4: No item called 'Unicorn steaks'" in page
    assert "Row 5: The quantity must be more than zero" in page
    assert "Row 6: Rice is not counted by volume" in page
    assert "Row 7: No donor called 'New Shop'" in page
    assert "Row 8: Best_before '2026-13-01' is not a date" in page and "freezer" in page
    assert "Row 2" not in page
    assert not Donation.objects.exists() and not Lot.objects.exists()


def test_the_same_upload_submitted_twice_imports_once(site, lead, item_rice):
    text = HEADER + "2026-01-05,,,Rice,5,kg,,,\n"
    token = uuid.uuid4()
    client = client_for(lead)
    upload(client, site, text, token)
    upload(client, site, text, token)
    assert Donation.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"item,quantity\nRice,5\n", "missing: received_on, unit"),
        (HEADER.encode(), "no rows"),
        ("received_on,item,quantity,unit\n2026-01-05,Rizé,5,kg\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_a_file_that_is_not_a_donations_sheet_is_explained(site, lead, content, message):
    url = reverse("pantry:donation_import", args=[site.slug])
    response = client_for(lead).post(
        url,
        {"token": str(uuid.uuid4()), "file": SimpleUploadedFile("x.csv", content)},
    )
    assert message in response.content.decode()
    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + "2026-01-05,,,Ri\x00ce,5,kg,,,\n", "The file holds a NUL character"),
        (
            HEADER + "2026-01-05,,,Rice," + "9" * 200_000 + ",kg,,,\n",
            "Row 2: This row cannot be read as CSV (field larger than field limit",
        ),
    ],
)
def test_a_file_with_a_nul_or_a_giant_cell_is_explained_and_nothing_imported(
    site, lead, item_rice, text, message
):
    response = upload(client_for(lead), site, text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Donation.objects.exists() and not Lot.objects.exists()


def test_a_spreadsheet_date_outside_the_calendar_window_is_named_and_nothing_imported(
    site, lead, item_rice
):
    text = HEADER + "2026-01-05,,,Rice,5,kg,,,\n" + "2026-01-05,,,Rice,5,kg,9999-12-31,,\n"
    page = upload(client_for(lead), site, text).content.decode().replace("&#x27;", "'")
    assert "Row 3: Best_before '9999-12-31': Give a date between 1900 and 2200." in page
    assert not Donation.objects.exists() and not Lot.objects.exists()

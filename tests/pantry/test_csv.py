"""Spreadsheets: stock and moves out; donations in, all rows or none."""

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonpot.dates import day_time
from pantry import services
from pantry.models import Donation, DonationImport, Donor, Lot, StockMove
from pantry.services import donations
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


def test_stock_export_says_what_is_free_and_what_a_lots_date_allows(site, lead, stock):
    stock["make"]("700", -2)  # rice: past best before, within the 3 days allowed
    stock["make"]("400", -9, date_kind="use_by")
    rows = read_csv(client_for(lead).get(reverse("pantry:stock_csv", args=[site.slug])))
    assert [(r["on_hand"], r["free"], r["date_state"]) for r in rows] == [
        ("400.000", "0.000", "past use-by"),
        ("700.000", "700.000", "past best before"),
        ("2000.000", "2000.000", "fresh"),
        ("3000.000", "3000.000", "fresh"),
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


def upload(client, site, text: str | bytes, token=None, **fields):
    url = reverse("pantry:donation_import", args=[site.slug])
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        url,
        {
            "token": str(token or uuid.uuid4()),
            "file": SimpleUploadedFile("donations.csv", content, content_type="text/csv"),
            **fields,
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


# --- The same file twice ---------------------------------------------------------------


def what_is_held() -> tuple[int, int, int]:
    return Donation.objects.count(), Lot.objects.count(), StockMove.objects.count()


@pytest.fixture
def sheet(site, noon):
    day = (site.today() - timedelta(days=1)).isoformat()
    return HEADER + (
        f"{day},Meadow Farm,farm,Rice,5,kg,2031-01-01,,\n{day},,,Baked beans,24,cans,,,\n"
    )


def test_a_file_imported_before_is_refused_saying_when_and_by_whom(
    site, lead, item_rice, item_beans, sheet
):
    client = client_for(lead)
    assert upload(client, site, sheet).status_code == 302
    first = DonationImport.objects.get()
    held = what_is_held()
    assert held == (2, 2, 2)

    # The same sheet saved on Windows: a byte-order mark and CRLF line endings.
    windows = b"\xef\xbb\xbf" + sheet.replace("\n", "\r\n").encode()
    response = upload(client, site, windows)

    assert response.status_code == 409
    page = response.content.decode()
    when = site.local(first.created_at)
    assert (
        f"This file was imported at Riverside Kitchen on {day_time(when)} "
        "by Lena Lead (2 rows as 2 donations). Nothing was imported this time."
    ) in page
    link = reverse("pantry:donations", args=[site.slug]) + f"?import={first.pk}"
    assert f'href="{link}"' in page
    assert 'type="checkbox" name="again"' in page and "Import it again anyway" in page
    assert what_is_held() == held
    assert DonationImport.objects.count() == 1


def test_a_file_imported_before_is_refused_even_if_its_rows_no_longer_pass(
    site, lead, item_rice, sheet
):
    """A use-by date may pass between the two imports: the lead hears of the first
    import, not of a row to put right."""
    client = client_for(lead)
    text = HEADER + f"{site.today().isoformat()},,,Rice,5,kg,,,\n"
    upload(client, site, text)
    item_rice.is_active = False
    item_rice.save()
    response = upload(client, site, text)
    assert response.status_code == 409
    assert "This file was imported at Riverside Kitchen" in response.content.decode()
    assert "No item called" not in response.content.decode()


def test_the_checkbox_appears_only_once_the_file_is_known(site, lead):
    page = client_for(lead).get(reverse("pantry:donation_import", args=[site.slug]))
    assert 'type="hidden" name="again"' in page.content.decode()
    assert "Import it again anyway" not in page.content.decode()


def test_ticking_import_it_again_records_the_file_a_second_time(
    site, lead, item_rice, item_beans, sheet
):
    client = client_for(lead)
    upload(client, site, sheet)
    first = DonationImport.objects.get()

    response = upload(client, site, sheet, again="on")

    assert response.status_code == 302
    assert Donation.objects.count() == 4
    again = DonationImport.objects.exclude(pk=first.pk).get()
    assert again.repeat_of == first and again.by == lead and again.donations.count() == 2
    assert sum(Lot.objects.filter(item=item_rice).values_list("on_hand", flat=True)) == 10_000
    # A third time, unconfirmed, is still refused and names the first import.
    response = upload(client, site, sheet)
    assert response.status_code == 409 and f"?import={first.pk}" in response.content.decode()


def test_the_same_upload_sent_twice_is_a_replay_not_a_repeat(
    site, lead, item_rice, item_beans, sheet
):
    token = uuid.uuid4()
    client = client_for(lead)
    upload(client, site, sheet, token)
    response = upload(client, site, sheet, token)
    assert response.status_code == 302
    assert Donation.objects.count() == 2 and DonationImport.objects.count() == 1


def test_another_site_importing_the_same_file_is_not_refused(
    site, other_site, lead, other_lead, item_rice, item_beans, noon
):
    day = (min(site.today(), other_site.today()) - timedelta(days=1)).isoformat()
    text = HEADER + f"{day},,,Rice,5,kg,,,\n"
    upload(client_for(lead), site, text)
    response = upload(client_for(other_lead), other_site, text)
    assert response.status_code == 302
    assert Lot.objects.filter(site=other_site).get().on_hand == 5000
    assert DonationImport.objects.filter(repeat_of__isnull=True).count() == 2


def test_the_first_imports_link_lists_only_what_it_recorded(
    site, other_site, lead, other_lead, item_rice, item_beans, sheet
):
    client = client_for(lead)
    donations.receive_donation(
        site=site,
        donor=None,
        received_on=site.today(),
        lines=[donations.LineInput(item=item_rice, quantity="1", unit="kg")],
        by=lead,
    )
    upload(client, site, sheet)
    first = DonationImport.objects.get()
    url = reverse("pantry:donations", args=[site.slug])

    page = client.get(url, {"import": first.pk}).content.decode()

    assert "Recorded by the import of <strong>donations.csv</strong>" in page
    assert page.count("Receipt<span") == 2 and "Meadow Farm" in page
    assert client.get(url).content.decode().count("Receipt<span") == 3
    # Another site's import is not this site's to list.
    assert (
        client_for(other_lead)
        .get(reverse("pantry:donations", args=[other_site.slug]), {"import": first.pk})
        .status_code
        == 404
    )


# --- The stock export imported back -------------------------------------------------------


def test_the_stock_export_imports_as_it_is_with_the_same_items_and_quantities(
    site, other_site, lead, other_lead, item_rice, item_beans, item_milk, noon
):
    from tests.pantry.factories import ItemFactory

    weird = ItemFactory(name="-Oats (loose)")  # written as '-Oats by the export
    day = min(site.today(), other_site.today()) - timedelta(days=2)
    later = day + timedelta(days=40)
    for item, quantity, kwargs in [
        (item_rice, "2500.5", {"best_before": later}),
        (item_rice, "1000", {"best_before": later, "storage": "chilled"}),
        (item_beans, "24", {}),
        (item_milk, "1500", {"best_before": later, "date_kind": "use_by"}),
        (weird, "750", {}),
    ]:
        services.receive(
            site=site,
            item=item,
            quantity=Decimal(quantity),
            by=lead,
            source="Shop",
            received_on=day,
            **kwargs,
        )
    exported = b"".join(
        client_for(lead).get(reverse("pantry:stock_csv", args=[site.slug])).streaming_content
    )

    response = upload(client_for(other_lead), other_site, exported)

    assert response.status_code == 302, response.content.decode()
    url = reverse("pantry:stock_csv", args=[other_site.slug])
    imported = read_csv(client_for(other_lead).get(url))
    assert lots_as_shelved(imported) == lots_as_shelved(
        csv.DictReader(io.StringIO(exported.decode()))
    )
    assert {r["item"] for r in imported} == {"Rice", "Baked beans", "Milk", "'-Oats (loose)"}
    # One anonymous donation for the one day the lots came in.
    assert Donation.objects.filter(site=other_site, donor__isnull=True).count() == 1


def lots_as_shelved(rows) -> list[tuple]:
    """What a stock export says of each lot, leaving out which site's numbering it has."""
    keys = ("item", "storage", "best_before", "date_kind", "on_hand", "unit", "weight_kg")
    return sorted(tuple(r[k] for k in (*keys, "received_on")) for r in rows)

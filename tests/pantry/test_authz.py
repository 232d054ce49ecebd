"""Every pantry URL x every actor. A lead manages only their own site; a volunteer
and an outsider read nothing of the pantry; the catalog is for leads and coordinators."""

from datetime import timedelta
from decimal import Decimal

import pytest

from pantry import services
from pantry.services import donations, equipment, recalls
from tests.authz import Row, check_matrix, lead_only
from tests.pantry.factories import DonorFactory
from tests.pantry.factories import milk as milk_item

LEADS_ANYWHERE = {
    "coordinator": 200,
    "lead": 200,
    "other_lead": 200,
    "volunteer": 403,
    "outsider": 403,
    "anonymous": 302,
}
S = {"slug": "site"}

ROWS = [
    Row("GET", "pantry:stock", S, expect=lead_only()),
    Row("GET", "pantry:stock_csv", S, expect=lead_only()),
    Row("GET", "pantry:moves_csv", S, expect=lead_only()),
    Row("GET", "pantry:stock_item", {**S, "item_id": "item"}, expect=lead_only()),
    Row("GET", "pantry:item_search", S, expect=lead_only(), data={"q": "ri"}),
    Row("GET", "pantry:lot", {**S, "lot_id": "lot"}, expect=lead_only()),
    Row("GET", "pantry:lot_discard", {**S, "lot_id": "lot"}, expect=lead_only()),
    Row("GET", "pantry:lot_label", {**S, "lot_id": "lot"}, expect=lead_only()),
    # An empty form: refused for others, re-shown with errors for those allowed.
    Row("POST", "pantry:lot_discard", {**S, "lot_id": "lot"}, expect=lead_only()),
    Row(
        "GET",
        "pantry:move_undo",
        {**S, "move_id": "move"},
        expect=lead_only(coordinator=405, lead=405),
    ),
    Row("GET", "pantry:waste", S, expect=lead_only()),
    Row("GET", "pantry:counts", S, expect=lead_only()),
    Row("GET", "pantry:count_area", {**S, "storage": "dry"}, expect=lead_only()),
    Row("POST", "pantry:count_area", {**S, "storage": "dry"}, expect=lead_only()),
    Row("GET", "pantry:count_sheet", {**S, "storage": "dry"}, expect=lead_only()),
    Row("GET", "pantry:thresholds", S, expect=lead_only()),
    Row("POST", "pantry:thresholds", S, expect=lead_only()),
    Row("GET", "pantry:donations", S, expect=lead_only()),
    Row("GET", "pantry:donation_new", S, expect=lead_only()),
    # An empty form is refused with its messages: 400.
    Row("POST", "pantry:donation_new", S, expect=lead_only(coordinator=400, lead=400)),
    Row("GET", "pantry:donation_line", S, expect=lead_only()),
    Row(
        "GET",
        "pantry:barcode_fill",
        S,
        expect=lead_only(),
        data={"line": "lines-0", "lines-0-barcode": "5012345678900"},
    ),
    Row("GET", "pantry:donation_import", S, expect=lead_only()),
    Row("POST", "pantry:donation_import", S, expect=lead_only()),
    Row("GET", "pantry:donation", {**S, "donation_id": "donation"}, expect=lead_only()),
    Row("GET", "pantry:donation_receipt", {**S, "donation_id": "donation"}, expect=lead_only()),
    Row("GET", "pantry:donors", S, expect=lead_only()),
    Row("POST", "pantry:donors", S, expect=lead_only()),
    Row("GET", "pantry:donor_edit", {**S, "donor_id": "donor"}, expect=lead_only()),
    Row("GET", "pantry:distributions", S, expect=lead_only()),
    Row("GET", "pantry:distribution_new", S, expect=lead_only()),
    Row("POST", "pantry:distribution_new", S, expect=lead_only(coordinator=400, lead=400)),
    Row(
        "GET",
        "pantry:distribution_barcode_fill",
        S,
        expect=lead_only(),
        data={"line": "lines-0", "lines-0-barcode": "5012345678900"},
    ),
    Row("GET", "pantry:distribution_line", S, expect=lead_only()),
    Row(
        "GET",
        "pantry:distribution",
        {**S, "distribution_id": "distribution"},
        expect=lead_only(),
    ),
    # Temperatures: anyone who works at the site logs them; units and holds are the lead's.
    Row("GET", "pantry:temperatures", S, expect=lead_only(volunteer=200)),
    Row("GET", "pantry:temperature_log", S, expect=lead_only()),
    # No token, no value: refused with the form's messages.
    Row(
        "POST",
        "pantry:reading_new",
        {**S, "unit_id": "unit"},
        expect=lead_only(coordinator=400, lead=400, volunteer=400),
    ),
    Row(
        "POST",
        "pantry:reading_new",
        {**S, "unit_id": "other_unit"},
        expect=lead_only(coordinator=404, lead=404, volunteer=404),
    ),
    Row("GET", "pantry:equipment", S, expect=lead_only()),
    # An empty form is shown again, as the discard form is.
    Row("POST", "pantry:equipment", S, expect=lead_only()),
    Row("GET", "pantry:equipment_edit", {**S, "unit_id": "unit"}, expect=lead_only()),
    Row(
        "GET",
        "pantry:equipment_edit",
        {**S, "unit_id": "other_unit"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    Row(
        "POST",
        "pantry:lot_store",
        {**S, "lot_id": "lot"},
        expect=lead_only(coordinator=302, lead=302),
    ),
    Row("GET", "pantry:holds", S, expect=lead_only()),
    Row(
        "POST",
        "pantry:hold_decide",
        {**S, "hold_id": "hold"},
        expect=lead_only(coordinator=400, lead=400),
    ),
    # Recalls: leads and coordinators; a recall is seen where it reached (the site's
    # lead started this one at the site, and its food went nowhere else).
    Row("GET", "pantry:recalls", expect=LEADS_ANYWHERE),
    Row("GET", "pantry:recall_new", expect=LEADS_ANYWHERE),
    Row(
        "POST",
        "pantry:recall_new",
        expect={**LEADS_ANYWHERE, "coordinator": 400, "lead": 400, "other_lead": 400},
    ),
    Row("GET", "pantry:recall", {"recall_id": "recall"}, expect=lead_only(other_lead=404)),
    Row("GET", "pantry:recall_pdf", {"recall_id": "recall"}, expect=lead_only(other_lead=404)),
    Row(
        "POST",
        "pantry:recall_answer",
        {"recall_id": "recall", "slug": "site"},
        expect=lead_only(coordinator=400, lead=400, other_lead=404),
    ),
    # Closing while the site has not answered is refused with the reason.
    Row(
        "POST",
        "pantry:recall_close",
        {"recall_id": "recall"},
        expect=lead_only(coordinator=400, lead=400, other_lead=404),
    ),
    Row("GET", "pantry:items", expect=LEADS_ANYWHERE),
    Row("GET", "pantry:item_new", expect=LEADS_ANYWHERE),
    Row("POST", "pantry:item_new", expect=LEADS_ANYWHERE),
    Row("GET", "pantry:item_edit", {"item_id": "item"}, expect=LEADS_ANYWHERE),
    # Another site's records are not found under this site's address, even by its lead.
    Row(
        "GET",
        "pantry:lot",
        {**S, "lot_id": "other_lot"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    Row(
        "GET",
        "pantry:lot_label",
        {**S, "lot_id": "other_lot"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    Row(
        "GET",
        "pantry:donation",
        {**S, "donation_id": "other_donation"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    Row(
        "GET",
        "pantry:donor_edit",
        {**S, "donor_id": "other_donor"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    # A storage area the site does not have.
    Row(
        "GET",
        "pantry:count_area",
        {**S, "storage": "frozen"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    # A private site's pantry is not revealed to those outside it.
    Row(
        "GET",
        "pantry:stock",
        {"slug": "private"},
        expect=lead_only(lead=404, other_lead=404, volunteer=404, outsider=404),
    ),
]


@pytest.fixture
def records(site, other_site, private_site, lead, other_lead, item_rice):
    today = site.today()
    donor = DonorFactory(site=site)
    donation = donations.receive_donation(
        site=site,
        donor=donor,
        received_on=today,
        lines=[donations.LineInput(item_rice, "5", "kg", today + timedelta(days=9))],
        by=lead,
    )
    lot = donation.lines.get().lot
    distribution = services.distribute(
        site=site,
        recipient="households",
        households=2,
        given_on=today,
        lines=[services.OutLine(item_rice, "1", "kg")],
        by=lead,
    )
    other_donor = DonorFactory(site=other_site)
    other = donations.receive_donation(
        site=other_site,
        donor=other_donor,
        received_on=other_site.today(),
        lines=[donations.LineInput(item_rice, "2", "kg")],
        by=other_lead,
    )
    site.pantry_settings.has_chilled_storage = True
    site.pantry_settings.save()
    unit = equipment.add_equipment(site, name="Fridge 1", kind="fridge")
    other_unit = equipment.add_equipment(other_site, name="Fridge 1", kind="fridge")
    milk = services.receive(
        site=site, item=milk_item(), quantity=Decimal(1000), by=lead, source="x", stored_in=unit
    ).lot
    (hold,) = equipment.log_reading(unit, value_c=Decimal(9), by=lead).holds
    assert hold.lot == milk
    recall = recalls.start_recall(
        title="Rice, lot R1",
        criteria=recalls.Criteria(item=item_rice, dated_from=today + timedelta(days=9)),
        by=lead,
        site=site,
    )
    return {
        "recall": recall.pk,
        "unit": unit.pk,
        "other_unit": other_unit.pk,
        "hold": hold.pk,
        "site": site.slug,
        "private": private_site.slug,
        "item": item_rice.pk,
        "lot": lot.pk,
        "move": lot.moves.first().pk,
        "donation": donation.pk,
        "donor": donor.pk,
        "distribution": distribution.pk,
        "other_lot": other.lines.get().lot_id,
        "other_donation": other.pk,
        "other_donor": other_donor.pk,
        "quantity": Decimal(5),
    }


@pytest.mark.slow
def test_every_pantry_url_answers_each_actor_as_expected(actors, records):
    def resolve(kwargs):
        return {k: records.get(v, v) for k, v in kwargs.items()}

    check_matrix(ROWS, actors, resolve)


def test_every_pantry_url_is_in_the_matrix():
    from pantry.urls import urlpatterns

    covered = {row.name.removeprefix("pantry:") for row in ROWS}
    assert {p.name for p in urlpatterns} - covered == set()


@pytest.mark.django_db
def test_undo_is_a_post_and_answers_each_actor(actors, records):
    rows = [
        Row(
            "POST",
            "pantry:move_undo",
            {"slug": "site", "move_id": "move"},
            expect=lead_only(coordinator=302, lead=302),
        )
    ]

    def resolve(kwargs):
        return {k: records.get(v, v) for k, v in kwargs.items()}

    check_matrix(rows, actors, resolve)

"""The network's section of the reports."""

import pytest

from commonpot.reports import Period, build_sections
from pantry.network import services
from tests.network.factories import offer

pytestmark = pytest.mark.django_db


def test_the_report_counts_surplus_offered_and_food_moved_with_the_damaged_part(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    t = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    services.accept_transfer(transfer_id=t.pk, by=lead)
    services.dispatch_transfer(transfer_id=t.pk, by=lead)
    (line,) = t.lines.all()
    services.receive_transfer(
        transfer_id=t.pk,
        by=other_lead,
        received={line.pk: 38000},
        reason="damaged",
        destination="compost",
    )
    today = other_site.today()
    period = Period((site, other_site), today.replace(day=1), today, True)
    (section,) = [s for s in build_sections(period) if s.key == "network"]
    figures = dict(section.figures)
    assert figures["Surplus offered"] == "40 kg in 1 offer"
    assert figures["Transfers received"] == "1"
    assert figures["Moved between sites"] == "40 kg"
    assert figures["Short or damaged on arrival"] == "2 kg"
    assert section.tables[0].rows == [("Riverside Kitchen", "Eastside Food Bank", 1, "40")]
    assert section.tables[0].total == ["Total", "", "1", "40"]


def test_a_period_with_no_surplus_has_no_network_section(site):
    today = site.today()
    period = Period((site,), today.replace(day=1), today, False)
    assert all(s.key != "network" for s in build_sections(period))

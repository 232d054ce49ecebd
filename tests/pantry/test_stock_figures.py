"""Each site's stock figures by category (pantry.stockfigures) stay the sum of its
lots through every way stock changes, and the dashboard shows them."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pantry import catalog, services, stockfigures
from pantry.models import Item, LotHold, StockFigure
from pantry.services import holds
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.pantry.factories import give_out, soap

pytestmark = pytest.mark.django_db


def figures(site) -> dict[str, tuple]:
    return {
        category: (f.grams, f.held_grams, f.unweighed_lots)
        for (site_id, category), f in stockfigures.kept([site.pk]).items()
        if site_id == site.pk
    }


def test_the_figures_follow_what_comes_in_goes_out_and_is_held(
    site, lead, item_rice, item_milk, coordinator
):
    rice = services.receive(
        site=site, item=item_rice, quantity=Decimal(5000), by=lead, source="Shop"
    ).lot
    services.receive(site=site, item=item_milk, quantity=Decimal(2000), by=lead, source="Dairy")
    assert figures(site) == {
        "grains_bread": (Decimal(5000), 0, 0),
        "dairy_eggs": (Decimal("2060"), 0, 0),  # 2 L at 1.03 g/ml
    }
    give_out(site, item_rice, "1.5", "kg", by=lead)
    services.discard(rice, reason="spoiled", destination="compost", by=lead, quantity=Decimal(500))
    assert figures(site)["grains_bread"] == (Decimal(3000), 0, 0)

    (hold,) = holds.start_holds([rice], cause=LotHold.Cause.MANUAL, by=lead, note="Mice")
    assert figures(site)["grains_bread"] == (Decimal(3000), Decimal(3000), 0)
    holds.release_hold(hold, by=lead, reason="No mice after all")
    assert figures(site)["grains_bread"] == (Decimal(3000), 0, 0)
    (hold,) = holds.start_holds([rice], cause=LotHold.Cause.MANUAL, by=lead, note="Mice again")
    holds.discard_held(hold, by=lead, reason="Droppings in the sack", destination="landfill")
    # Nothing of that category is left: the site no longer shows it.
    assert "grains_bread" not in figures(site)
    assert stockfigures.drift() == {}

    html = client_for(coordinator).get(reverse("network:dashboard")).content.decode()
    assert "<strong>2.1 kg</strong> on hand" in html


def test_lots_of_pieces_of_unknown_weight_are_counted_while_in_stock(site, lead):
    bars = soap()
    lot = services.receive(site=site, item=bars, quantity=Decimal(12), by=lead, source="Shop").lot
    services.receive(site=site, item=bars, quantity=Decimal(6), by=lead, source="Shop")
    services.receive(site=site, item=bars, quantity=Decimal(6), by=lead, source="Shop", into=lot)
    assert figures(site) == {"hygiene": (0, 0, 2)}
    services.discard(lot, reason="damaged", destination="landfill", by=lead)
    assert figures(site) == {"hygiene": (0, 0, 1)}
    assert stockfigures.drift() == {}


def test_an_items_new_category_or_weight_moves_its_stock_in_the_figures(
    site, other_site, lead, other_lead
):
    bars = soap()
    for where, by in ((site, lead), (other_site, other_lead)):
        services.receive(site=where, item=bars, quantity=Decimal(10), by=by, source="Shop")
    catalog.update_item(bars, category=Item.Category.OTHER, weight_per_piece_g=Decimal(100))
    assert figures(site) == figures(other_site) == {"other": (Decimal(1000), 0, 0)}
    assert stockfigures.drift() == {}


def test_a_count_and_an_undone_move_change_the_figures_as_the_lots(site, lead, item_rice):
    received = services.receive(
        site=site, item=item_rice, quantity=Decimal(4000), by=lead, source="Shop"
    )
    services.record_count(
        site=site,
        storage=received.lot.storage,
        counted={received.lot.pk: Decimal(3500)},
        by=lead,
    )
    assert figures(site)["grains_bread"] == (Decimal(3500), 0, 0)
    second = services.receive(
        site=site, item=item_rice, quantity=Decimal(1000), by=lead, source="Shop"
    )
    services.reverse_move(second, by=lead)
    assert figures(site)["grains_bread"] == (Decimal(3500), 0, 0)
    assert stockfigures.drift() == {}


def test_figures_gone_wrong_are_found_and_made_again(site, lead, item_rice, capsys):
    services.receive(site=site, item=item_rice, quantity=Decimal(4000), by=lead, source="Shop")
    StockFigure.objects.filter(site=site).update(grams=1)
    assert set(stockfigures.drift()) == {(site.pk, "grains_bread")}
    with pytest.raises(CommandError, match="differ from the lots"):
        call_command("stock_figures")
    assert "Riverside Kitchen" in capsys.readouterr().out
    call_command("stock_figures", "--rebuild")
    assert stockfigures.drift() == {}
    assert figures(site)["grains_bread"] == (Decimal(4000), 0, 0)
    call_command("stock_figures")
    assert "match the lots" in capsys.readouterr().out


def test_the_daily_job_mends_the_sites_whose_figures_differ_and_says_so(
    site, other_site, lead, other_lead, item_rice, caplog
):
    from pantry.tasks import mend_stock_figures

    for where, by in ((site, lead), (other_site, other_lead)):
        services.receive(site=where, item=item_rice, quantity=Decimal(2000), by=by, source="Shop")
    StockFigure.objects.filter(site=other_site).update(grams=5)
    assert mend_stock_figures() == 1
    assert f"Stock figures of site {other_site.pk}, grains_bread" in caplog.text
    assert figures(other_site)["grains_bread"] == (Decimal(2000), 0, 0)
    assert mend_stock_figures() == 0


def test_leads_receiving_at_one_site_at_once_lose_no_weight_in_the_figures(
    transactional_db, site, item_rice
):
    """Five leads receive rice at one site together, each on their own connection:
    the first figure of the category is made once, and every kilogram is in it."""
    from tests.volunteers.test_concurrency import race

    leads = [MembershipFactory(site=site, role="lead").user for _ in range(5)]
    failed = race(
        leads,
        lambda person: services.receive(
            site=site, item=item_rice, quantity=Decimal(1000), by=person, source="Shop"
        ),
    )
    assert failed == []
    assert figures(site) == {"grains_bread": (Decimal(5000), 0, 0)}
    assert StockFigure.objects.filter(site=site).count() == 1

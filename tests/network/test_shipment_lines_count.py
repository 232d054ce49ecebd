"""Every item of a shipment counts: towards a need's progress (on its way, and received),
and in the transfer lists, tables and manifest, not only the shipment's first item."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pantry.models import Item
from pantry.network import services
from pantry.network.models import Transfer
from pantry.network.progress import attach_on_the_way
from pantry.network.services import Line
from tests.conftest import client_for, page_queries
from tests.network.factories import need, stock
from tests.network.test_pages import pdf_text
from tests.pantry.factories import ItemFactory

pytestmark = pytest.mark.django_db
TRANSFERS = reverse("network:transfers")


@pytest.fixture
def larder(site, lead, item_bread, mapped):
    """Bread, rice, beans and oats at the lead's site (grains, and beans canned and dry)."""
    rice = ItemFactory(name="Rice", category=Item.Category.GRAINS_BREAD)
    beans = ItemFactory(name="Beans", category=Item.Category.CANNED_DRY)
    oats = ItemFactory(name="Oats", category=Item.Category.GRAINS_BREAD)
    for item in (item_bread, rice, beans, oats):
        stock(site, item, "500000", by=lead, days=5)
    return {"bread": item_bread, "rice": rice, "beans": beans, "oats": oats}


def ship(site, other_site, lead, *lines, need=None) -> Transfer:
    return services.propose_shipment(
        source=site,
        destination=other_site,
        lines=[Line(item=item, quantity=Decimal(q)) for item, q in lines],
        by=lead,
        need=need,
    )


def test_a_need_counts_the_line_of_its_item_that_is_not_the_shipments_first(
    site, other_site, lead, other_lead, larder
):
    rice_need = need(other_site, by=other_lead, item=larder["rice"], quantity="10000")
    ship(
        site, other_site, lead, (larder["beans"], "4000"), (larder["rice"], "6000"), need=rice_need
    )
    attach_on_the_way([rice_need])
    assert rice_need.on_the_way == Decimal("6000")
    assert rice_need.left_to_find_display == "4 kg"


def test_a_category_need_counts_every_line_of_its_category_by_weight(
    site, other_site, lead, other_lead, larder
):
    grains = need(other_site, by=other_lead, category=Item.Category.GRAINS_BREAD, quantity="20000")
    # Sent for no need in particular: each grain line counts, the beans do not.
    ship(
        site,
        other_site,
        lead,
        (larder["beans"], "4000"),
        (larder["rice"], "6000"),
        (larder["oats"], "3000"),
    )
    attach_on_the_way([grains])
    assert grains.on_the_way == Decimal("9000")


def test_lines_of_a_shipment_for_no_need_count_towards_each_of_their_own_needs(
    site, other_site, lead, other_lead, larder
):
    rice_need = need(other_site, by=other_lead, item=larder["rice"], quantity="10000")
    beans_need = need(other_site, by=other_lead, item=larder["beans"], quantity="10000")
    t = ship(site, other_site, lead, (larder["rice"], "2000"), (larder["beans"], "5000"))
    attach_on_the_way([rice_need, beans_need], with_transfers=True)
    assert (rice_need.on_the_way, beans_need.on_the_way) == (Decimal("2000"), Decimal("5000"))
    html = client_for(other_lead).get(beans_need.get_absolute_url()).content.decode()
    on_the_way = html[html.index("On its way</h2>") :]
    assert f"#{t.pk}</a> 5 kg of Beans from" in on_the_way


def test_receiving_a_shipment_counts_every_line_of_the_needs_item(
    site, other_site, lead, other_lead, larder
):
    rice_need = need(other_site, by=other_lead, item=larder["rice"], quantity="10000")
    t = ship(
        site,
        other_site,
        lead,
        (larder["beans"], "4000"),
        (larder["rice"], "6000"),
        need=rice_need,
    )
    services.dispatch_transfer(transfer_id=t.pk, by=lead)
    lines = list(t.lines.all())
    services.receive_transfer(
        transfer_id=t.pk, by=other_lead, received={line.pk: line.quantity for line in lines}
    )
    rice_need.refresh_from_db()
    assert rice_need.received == Decimal("6000")  # the rice, not the beans listed first


def test_the_transfers_list_and_manifest_name_every_item_of_a_shipment(
    site, other_site, lead, coordinator, larder
):
    small = ship(site, other_site, lead, (larder["rice"], "10000"), (larder["beans"], "4000"))
    big = ship(
        site,
        other_site,
        lead,
        (larder["rice"], "10000"),
        (larder["beans"], "4000"),
        (larder["oats"], "2000"),
        (larder["bread"], "1000"),
    )
    html = client_for(lead).get(TRANSFERS).content.decode()
    assert "Rice 10 kg, Beans 4 kg</td>" in html
    assert "2 items · 14 kg" in html
    assert "Rice 10 kg, Beans 4 kg + 2 more items" in html and "4 items · 17 kg" in html
    page = client_for(lead).get(big.get_absolute_url()).content.decode()
    for food in ("of Rice", "of Beans", "of Oats", "of Bread"):
        assert food in page
    manifest = client_for(lead).get(reverse("network:transfer_manifest", args=[small.pk]))
    assert "Rice 10 kg, Beans 4 kg from" in pdf_text(manifest)
    surplus = reverse("network:site_surplus", args=[site.slug])
    for who, where in ((coordinator, reverse("network:dashboard")), (lead, surplus)):
        assert (
            "Rice 10 kg, Beans 4 kg + 2 more items" in client_for(who).get(where).content.decode()
        )


def test_the_transfers_list_runs_the_same_queries_for_2_and_12_shipments_of_several_items(
    site, other_site, lead, larder
):
    client = client_for(lead)

    def add(n: int) -> None:
        for _ in range(n):
            ship(
                site,
                other_site,
                lead,
                (larder["rice"], "1000"),
                (larder["beans"], "1000"),
                (larder["oats"], "1000"),
            )

    add(2)
    few = page_queries(client, TRANSFERS)
    add(10)
    assert page_queries(client, TRANSFERS) == few
    assert client.get(TRANSFERS).content.decode().count("Rice 1 kg, Beans 1 kg, Oats 1 kg") == 12

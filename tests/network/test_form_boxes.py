"""The network's forms ask for an item in a box with suggestions, not a <select> of
the whole catalog: a need, a transfer and its other items, a run's pickup from a
donor. A catalog of thousands of items made each of these pages hundreds of
kilobytes on a phone. A transfer's sites, past SITES_LISTED of them, likewise."""

import re
import uuid

from django.urls import reverse

from pantry.models import Item
from pantry.network.models import Need, Transfer
from tests.conftest import client_for
from tests.pantry.factories import ItemFactory

SUGGEST = reverse("network:items_suggested")


def _catalog(n=60):
    """A catalog longer than any list a form should send whole."""
    Item.objects.bulk_create(
        Item(name=f"Tinned item {i:03d}", category=Item.Category.CANNED_DRY) for i in range(n)
    )


def _item_box(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]


def _listed(html: str, name: str) -> bool:
    return re.search(rf'<select[^>]*name="{name}"', html) is not None


def test_every_network_form_asking_for_an_item_sends_a_box_not_the_catalog(
    site, lead, coordinator, run, item_bread
):
    _catalog()
    pages = {
        reverse("network:need_new", args=[site.slug]): (lead, ["item"]),
        reverse("network:transfer_new"): (coordinator, ["item"]),
        reverse("network:run", args=[run.pk]): (
            coordinator,
            ["donated_item_1", "donated_item_2", "donated_item_3"],
        ),
    }
    for url, (person, names) in pages.items():
        response = client_for(person).get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "Tinned item" not in html, url
        for name in names:
            box = _item_box(html, name)
            assert f'hx-get="{SUGGEST}"' in box and f'hx-params="{name}"' in box, url
            list_id = re.search(r'list="([^"]+)"', box)[1]
            assert f'<datalist id="{list_id}"></datalist>' in html, url


def test_the_suggestions_are_the_first_few_active_items_holding_what_is_typed(
    coordinator, item_bread
):
    _catalog()
    ItemFactory(name="Breadcrumbs", is_active=False)
    client = client_for(coordinator)
    options = client.get(SUGGEST, {"item": "bre"}).content.decode()
    assert options == '<option value="Bread"></option>\n'  # not the retired Breadcrumbs
    many = client.get(SUGGEST, {"more-2-item": "tinned"}).content.decode()
    assert re.findall(r'value="([^"]+)"', many) == [f"Tinned item {i:03d}" for i in range(12)]
    assert client.get(SUGGEST, {"item": "  "}).content.decode().strip() == ""


def test_an_item_named_wrong_is_said_beside_the_box_and_nothing_is_written(
    site, other_site, lead, coordinator, bread_lot
):
    proposed = client_for(coordinator).post(
        reverse("network:transfer_new"),
        {
            "source": site.pk,
            "destination": other_site.pk,
            "item": "Braed",
            "quantity": "3",
            "unit": "kg",
        },
    )
    html = proposed.content.decode()
    assert proposed.status_code == 400
    assert "No item called &#x27;Braed&#x27; in the catalog." in html
    assert 'value="Braed"' in _item_box(html, "item")  # kept to mend, not emptied
    assert not Transfer.objects.exists()

    needed = client_for(lead).post(
        reverse("network:need_new", args=[site.slug]),
        {
            "item": "Bread",
            "quantity": "3",
            "unit": "kg",
            "needed_by": "2099-01-01",
            "token": str(uuid.uuid4()),
        },
    )
    assert needed.status_code == 302
    assert Need.objects.get().item.name == "Bread"


def test_a_coordinator_of_many_sites_types_a_transfers_sites_in_boxes(
    monkeypatch, site, other_site, lead, coordinator, bread_lot, run
):
    from commonpot import forms

    monkeypatch.setattr(forms, "SITES_LISTED", 1)
    client = client_for(coordinator)
    url = reverse("network:transfer_new")
    html = client.get(url, {"source": site.pk}).content.decode()
    for name in ("source", "destination"):
        assert not _listed(html, name)
        box = _item_box(html, name)
        assert 'type="search"' in box and f'hx-params="{name}"' in box
    # Chosen from a "Send from here" link: the box shows the site's short name.
    assert f'value="{site.slug}"' in _item_box(html, "source")

    data = {"item": "Bread", "quantity": "3", "unit": "kg"}
    unknown = client.post(url, data | {"source": site.slug, "destination": "Nowhere Kitchen"})
    assert unknown.status_code == 400
    assert "No site is called “Nowhere Kitchen”: pick one from the suggestions." in (
        unknown.content.decode()
    )
    assert not Transfer.objects.exists()

    # A suggestion enters the slug; a whole name typed out, in any case, does too.
    sent = client.post(
        url,
        data
        | {
            "source": site.slug,
            "destination": other_site.name.upper(),
            "token": str(uuid.uuid4()),
        },
    )
    assert sent.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.source, transfer.destination) == (site, other_site)

    # A run's stop, too.
    html = client.get(reverse("network:run", args=[run.pk])).content.decode()
    assert not _listed(html, "site") and 'type="search"' in _item_box(html, "site")
    stop = {"kind": "drop", "window_from": "09:00", "window_until": "13:00"}
    added = client.post(
        reverse("network:run_stop_add", args=[run.pk]), stop | {"site": other_site.name}
    )
    assert added.status_code == 302 and run.stops.get().site == other_site

    # A lead's own sites stay a list when they are few; the other end is a box.
    html = client_for(lead).get(url).content.decode()
    assert _listed(html, "source") and not _listed(html, "destination")


def test_a_small_network_keeps_its_lists_and_names_a_bad_choice_plainly(
    site, other_site, coordinator
):
    response = client_for(coordinator).post(
        reverse("network:transfer_new"),
        {"source": "Nowhere", "destination": other_site.pk, "item": "x", "quantity": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert _listed(html, "source") and "Select a valid choice" in html
    assert "pick one from the suggestions" not in html


def test_the_transfers_list_says_a_refused_filter_and_lists_nothing(
    monkeypatch, site, other_site, lead, coordinator, bread_lot
):
    from commonpot import forms
    from pantry.network import services

    transfer = services.propose_transfer(
        source=site, destination=other_site, item=bread_lot.item, quantity=3000, by=coordinator
    )
    url = reverse("network:transfers")
    row = f'href="{transfer.get_absolute_url()}"'
    client = client_for(coordinator)
    assert row in client.get(url, {"site": site.slug}).content.decode()
    for bad, said in [
        ({"site": "nowhere"}, "Site: Select a valid choice."),
        ({"status": "lost"}, "Status: Select a valid choice."),
    ]:
        response = client.get(url, bad)
        html = response.content.decode()
        assert response.status_code == 400, bad
        assert said in html and row not in html, bad
    # A lead's site list is their own sites: another's is refused, not ignored.
    theirs = client_for(lead).get(url, {"site": other_site.slug})
    assert theirs.status_code == 400 and row not in theirs.content.decode()

    # A coordinator of many sites types one in a box, by slug or whole name.
    monkeypatch.setattr(forms, "SITES_LISTED", 1)
    html = client.get(url).content.decode()
    assert not _listed(html, "site") and 'type="search"' in _item_box(html, "site")
    assert row in client.get(url, {"site": other_site.name.lower()}).content.decode()
    unknown = client.get(url, {"site": "Nowhere"})
    assert unknown.status_code == 400
    assert "No site is called “Nowhere”" in unknown.content.decode()

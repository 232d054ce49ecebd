"""Two whole Commonpot installs paired as partner networks: what the issue's
"Done means" asks, end to end, over real HTTP between two servers.

Leeds Food Network (A) and Bradford Food Network (B) each run their own gunicorn
on their own database (tests/federation/installs.py). People act through the
pages, as a browser would: coordinators pair the two and choose the sites that
take part, leads claim, dispatch and record arrivals. Setting up (people, sites,
stock, offers) and reading the databases at the end go through each install's
own services in `Install.python`, several steps to one call, as each call costs
a Django start.

Messages cross when the test says so: no job worker runs, and after each step
the sending install runs `manage.py federation deliver`, what the worker's
every-minute schedule runs. A worker would send each message a moment after its
change, at a moment the test does not choose; delivering by hand makes every run
take the same path, lets a test hold one install's messages back (a partner
that is down, an update that has not arrived yet), and needs no waiting or
polling. ("Send now" on a partner's page queues a job for the worker; the test
presses it to make the waiting messages due, then delivers.)
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from pantry.network.matches import haversine_km
from tests.federation.installs import Client, Install
from tests.federation.valueflows import validate_activity

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("federation")]

PASSWORD = "a-long-federation-password"


@dataclass
class Network:
    """One install as its people see it: its coordinator and a site with its lead."""

    install: Install
    site: str  # slug
    site_name: str
    latitude: str
    longitude: str
    coordinator: tuple[str, str]  # username, display name
    lead: tuple[str, str]
    site_pk: int = 0
    partner_pk: int = 0  # the other install, as this one keeps it
    facts: dict = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def email_of(self, username: str) -> str:
        return f"{username}@{self.site.split('-')[0]}.example"

    def people(self) -> list[str]:
        """What names this network's people: nothing of it may reach the partner."""
        return [
            text
            for username, name in (self.coordinator, self.lead)
            for text in (name, self.email_of(username))
        ]

    def as_coordinator(self) -> Client:
        return self._client(self.coordinator[0])

    def as_lead(self) -> Client:
        return self._client(self.lead[0])

    def _client(self, username: str) -> Client:
        if username not in self.clients:
            self.clients[username] = self.install.client(username, PASSWORD)
        return self.clients[username]


def leeds(install: Install) -> Network:
    return Network(
        install,
        site="leeds-kitchen",
        site_name="Leeds Community Kitchen",
        latitude="53.79648",
        longitude="-1.54785",
        coordinator=("rosa", "Rosa Marsh"),
        lead=("lucia", "Lucia Verdi"),
    )


def bradford(install: Install) -> Network:
    return Network(
        install,
        site="bradford-kitchen",
        site_name="Bradford Community Kitchen",
        latitude="53.79391",
        longitude="-1.75206",
        coordinator=("bea", "Bea Okafor"),
        lead=("lena", "Lena Ahmed"),
    )


# --- In an install's own Django --------------------------------------------------------

IMPORTS = """
import json
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from commonpot.models import Membership, Site, User
from pantry import services as pantry
from pantry.catalog import add_item
from pantry.federation.models import (
    Incoming, Outgoing, Partner, PartnerNeed, PartnerOffer, PartnerTransfer,
)
from pantry.models import Item, Lot, Reservation
from pantry.network import services as network
from pantry.network.models import Offer


def dec(value):
    return format(Decimal(value).normalize(), "f") if value is not None else None


# What the install holds of Bread: each lot's on hand and held, each hold, the offer.
def ledger(offer_pk):
    offer = Offer.objects.get(pk=offer_pk)
    return {
        "lots": [
            [lot.pk, dec(lot.on_hand), dec(lot.reserved)]
            for lot in Lot.objects.filter(item__name="Bread").order_by("pk")
        ],
        "holds": [
            [h.reference, h.lot_id, dec(h.quantity), h.status]
            for h in Reservation.objects.filter(lot__item__name="Bread").order_by("pk")
        ],
        "offer": [dec(offer.remaining), offer.status],
    }
"""


def run(install: Install, code: str, **values):
    """Run `code` in the install's Django with `values` as `args`; what it printed
    last, read as JSON."""
    prelude = f"args = json.loads({json.dumps(values)!r})\n"
    out = install.python(IMPORTS + prelude + textwrap.dedent(code))
    return json.loads(out.strip().splitlines()[-1])


SET_UP = """
with_bread = args["bread"]
coordinator = User.objects.create_user(
    args["coordinator"][0], email=args["emails"][0], password=args["password"],
    display_name=args["coordinator"][1], is_coordinator=True,
)
from commonpot.services import create_site

site = create_site(
    by=coordinator, name=args["site_name"], slug=args["site"], kind="community_kitchen",
    city=args["city"], time_zone="Europe/London", latitude=Decimal(args["latitude"]),
    longitude=Decimal(args["longitude"]), show_exact_location=True,
)
lead = User.objects.create_user(
    args["lead"][0], email=args["emails"][1], password=args["password"],
    display_name=args["lead"][1],
)
Membership.objects.create(user=lead, site=site, role="lead")
facts = {"site": site.pk}
if with_bread:
    bread = add_item(
        name="Bread", category=Item.Category.GRAINS_BREAD, base_unit=Item.Unit.PIECE,
        piece_name="loaf", weight_per_piece_g=Decimal("800"), storage="dry",
    )
    lot = pantry.receive(
        site=site, item=bread, quantity=Decimal(40), by=lead, source="Kirkgate bakery",
        best_before=site.today() + timedelta(days=3), code="KB-0412",
    ).lot
    offer = network.post_offer(
        site=site, by=lead, lot=lot, quantity=Decimal(30),
        pickup_until=timezone.now() + timedelta(hours=48), share_with_partners=True,
    )
    facts.update(
        offer=offer.pk, lot=lot.pk, best_before=lot.best_before.isoformat(),
        on_hand=dec(Lot.objects.filter(item=bread).aggregate(t=Sum("on_hand"))["t"]),
    )
print(json.dumps(facts))
"""


def set_up(net: Network, bread: bool) -> None:
    """A coordinator, a site that shows its place, its lead; with `bread`, 40 loaves
    of Bread at the site, 30 of them offered and shared with partner networks."""
    net.facts = run(
        net.install,
        SET_UP,
        bread=bread,
        password=PASSWORD,
        coordinator=net.coordinator,
        lead=net.lead,
        emails=[net.email_of(net.coordinator[0]), net.email_of(net.lead[0])],
        site=net.site,
        site_name=net.site_name,
        city=net.site_name.split()[0],
        latitude=net.latitude,
        longitude=net.longitude,
    )
    net.site_pk = net.facts["site"]


def deliver(net: Network) -> dict[str, int]:
    """`manage.py federation deliver` on this install: what it sent, had refused,
    and failed to send."""
    out = net.install.manage("federation", "deliver")
    return {key: int(n) for key, n in re.findall(r"(sent|refused|failed): (\d+)", out)}


# --- Pages ---------------------------------------------------------------------------------


def path_of(response) -> str:
    return urlsplit(response.url).path


def pk_in(path: str, prefix: str) -> int:
    found = re.fullmatch(rf"{re.escape(prefix)}(\d+)/", path)
    assert found, f"{path} is not under {prefix}"
    return int(found.group(1))


def text_of(page: str) -> str:
    """A page's words as a person reads them: no tags, entities read, spaces joined."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def transfer_status(page: str) -> str:
    """The status badge of a transfer's page (the one after the partner's badge)."""
    found = re.search(
        r'<span class="badge partner">[^<]*</span>\s*<span class="badge[^"]*">([^<]+)</span>', page
    )
    assert found, "The transfer's page shows no status"
    return html.unescape(found.group(1)).strip()


def partner_cards(board: str) -> list[str]:
    return [
        text_of(card)
        for card in re.findall(r'<article class="card partner-card".*?</article>', board, re.S)
    ]


def pair(a: Network, b: Network) -> None:
    """A's coordinator makes an invitation; B's pastes it on B's Partner networks page."""
    made = a.as_coordinator().submit("/network/partners/", {}, action="/network/partners/invite/")
    assert made.status_code == 200
    found = re.search(r'<textarea id="invitation-text"[^>]*>(.*?)</textarea>', made.text, re.S)
    assert found, "The invitation is not shown"
    invitation = html.unescape(found.group(1)).strip()
    assert invitation.startswith("commonpot-pair:")

    paired = b.as_coordinator().submit(
        "/network/partners/", {"invitation": invitation}, action="/network/partners/accept/"
    )
    assert paired.status_code == 200, text_of(paired.text)[:2000]
    b.partner_pk = pk_in(path_of(paired), "/network/partners/")
    assert f"Paired with {a.install.name}" in text_of(paired.text)

    listed = a.as_coordinator().get("/network/partners/")
    links = set(re.findall(r'href="/network/partners/(\d+)/"', listed.text))
    assert len(links) == 1, links
    a.partner_pk = int(links.pop())
    assert b.install.name in listed.text


def take_part(net: Network) -> None:
    """The coordinator ticks the site on the partner's page (every category shared)."""
    page = f"/network/partners/{net.partner_pk}/"
    saved = net.as_coordinator().submit(page, {"sites": [str(net.site_pk)], "categories": []})
    assert saved.status_code == 200 and path_of(saved) == page
    assert "Saved what is shared with" in text_of(saved.text)


def paired_networks(two_installs) -> tuple[Network, Network]:
    """Leeds (with its shared offer of bread) and Bradford, set up at once, paired,
    each with its site taking part, and Leeds's offer delivered to Bradford."""
    a, b = leeds(two_installs[0]), bradford(two_installs[1])
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(set_up, (a, b), (True, False)))
    pair(a, b)
    take_part(a)
    take_part(b)
    # Ticking the site sent its shared offer: one message, now on its way.
    assert deliver(a) == {"sent": 1, "refused": 0, "failed": 0}
    return a, b


def local_claim(net: Network, quantity: int) -> dict:
    """Another site of the same network claims part of the shared offer (a claim
    inside the network, no partner involved): a second site, its claim, what the
    offer has left, and the site's stock and holds of Bread after it."""
    return run(
        net.install,
        """
        by = User.objects.get(username=args["coordinator"])
        from commonpot.services import create_site

        east = create_site(
            by=by, name="Leeds East Pantry", slug="leeds-east", kind="food_bank", city="Leeds",
            time_zone="Europe/London",
        )
        network.claim_offer(
            offer_id=args["offer"], site=east, by=by, quantity=Decimal(args["quantity"])
        )
        print(json.dumps(ledger(args["offer"])))
        """,
        coordinator=net.coordinator[0],
        offer=net.facts["offer"],
        quantity=quantity,
    )


# --- 1. The whole journey ------------------------------------------------------------------


def test_an_offer_crosses_is_claimed_dispatched_and_received_with_both_ledgers_kept(
    two_installs,
):
    a, b = paired_networks(two_installs)

    # B's lead sees Leeds's offer on the board, with its network and the distance
    # from her site.
    board = b.as_lead().get(f"/network/?near={b.site}")
    assert board.status_code == 200
    cards = partner_cards(board.text)
    assert len(cards) == 1, cards
    km = haversine_km(float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    assert 10 < km < 20
    for words in ("30 loaves of Bread", a.site_name, "Leeds Food Network", f"{km:,.0f} km"):
        assert words in cards[0]
    offer_page = re.search(r'href="(/network/partner-offers/\d+/)"', board.text).group(1)

    # She claims 10 of the 30 loaves for her site.
    claimed = b.as_lead().submit(
        offer_page, {"quantity": "10", "unit": "pieces"}, action=f"{offer_page}claim/"
    )
    assert claimed.status_code == 200, text_of(claimed.text)[:2000]
    b_transfer = path_of(claimed)
    assert b_transfer.startswith("/network/partner-transfers/")
    assert transfer_status(claimed.text) == "Claimed, waiting for the sender"
    assert "Waiting for Leeds Food Network to accept." in text_of(claimed.text)

    # The claim reaches Leeds, which holds the food and accepts; the acceptance
    # (and the offer's new remainder) reach Bradford.
    assert deliver(b) == {"sent": 1, "refused": 0, "failed": 0}
    assert deliver(a) == {"sent": 2, "refused": 0, "failed": 0}
    page = b.as_lead().get(b_transfer)
    assert transfer_status(page.text) == "Accepted"
    assert "Leeds Food Network accepted and holds the food" in text_of(page.text)

    # A's lead finds it on her site's Surplus tab and dispatches it.
    surplus = a.as_lead().get(f"/sites/{a.site}/surplus/")
    links = re.findall(r'href="(/network/partner-transfers/\d+/)"', surplus.text)
    assert len(links) == 1, links
    a_transfer = links[0]
    page = a.as_lead().get(a_transfer)
    assert "10 loaves of Bread to Bradford Community Kitchen" in text_of(page.text)
    sent = a.as_lead().submit(a_transfer, {}, action=f"{a_transfer}dispatch/")
    assert sent.status_code == 200 and path_of(sent) == a_transfer
    assert transfer_status(sent.text) == "In transit"

    # The dispatch reaches Bradford: its lead records 9 loaves in good condition.
    assert deliver(a) == {"sent": 1, "refused": 0, "failed": 0}
    page = b.as_lead().get(b_transfer)
    assert transfer_status(page.text) == "In transit"
    assert "KB-0412" in page.text  # the lot's code, as it left
    got = b.as_lead().submit(
        b_transfer, {"received": "9", "unit": "pieces"}, action=f"{b_transfer}receive/"
    )
    assert got.status_code == 200 and path_of(got) == b_transfer, text_of(got.text)[:2000]
    assert transfer_status(got.text) == "Received"

    # The receipt reaches Leeds.
    assert deliver(b) == {"sent": 1, "refused": 0, "failed": 0}
    page = a.as_lead().get(a_transfer)
    assert transfer_status(page.text) == "Received"
    assert "Arrived in good condition 9 loaves" in text_of(page.text)

    # Leeds's ledger: what left is what was dispatched, the rest is where it was.
    at_a = run(
        a.install,
        """
        transfer = PartnerTransfer.objects.get()
        dispatched = sum(line.quantity for line in transfer.lines.all())
        facts = {
            "on_hand": dec(Lot.objects.filter(item__name="Bread").aggregate(t=Sum("on_hand"))["t"]),
            "dispatched": dec(dispatched),
            "received": dec(transfer.received_quantity),
            "status": transfer.status,
            "offer": ledger(args["offer"])["offer"],
            "holds": [
                [h.reference, dec(h.quantity)]
                for h in Reservation.objects.filter(status="held").order_by("pk")
            ],
            "sent": list(Outgoing.objects.order_by("seq").values_list("activity", flat=True)),
            "waiting": Outgoing.objects.exclude(state="sent").count(),
            "incoming": list(Incoming.objects.order_by("seq").values_list("outcome", flat=True)),
        }
        print(json.dumps(facts))
        """,
        offer=a.facts["offer"],
    )
    assert Decimal(at_a["dispatched"]) == 10
    assert Decimal(a.facts["on_hand"]) == Decimal(at_a["on_hand"]) + Decimal(at_a["dispatched"])
    assert (at_a["status"], at_a["received"]) == ("received", "9")
    assert at_a["offer"] == ["20", "open"]  # 30 offered, 10 claimed across the link
    # Only the offer's own hold is left: 20 loaves, still on offer.
    assert at_a["holds"] == [[f"offer:{a.facts['offer']}", "20"]]
    assert at_a["waiting"] == 0
    assert at_a["incoming"] == ["applied", "applied"]  # the claim, the receipt

    # Bradford's ledger: a new lot of Bread with the dispatched lot's date, and
    # nothing that names Leeds's people anywhere in its partner-network records.
    at_b = run(
        b.install,
        """
        from django.apps import apps
        from django.core import serializers

        lots = Lot.objects.filter(item__name="Bread")
        rows = [
            serializers.serialize("json", model.objects.all())
            for model in apps.get_app_config("federation").get_models()
        ]
        rows.append(serializers.serialize("json", lots))
        facts = {
            "lots": [
                [l.site.slug, dec(l.on_hand), l.best_before.isoformat(), l.code, l.source]
                for l in lots
            ],
            "item": list(Item.objects.filter(name="Bread").values_list("base_unit", "piece_name")),
            "copy": list(PartnerOffer.objects.values_list("quantity", "status")),
            "transfer": list(PartnerTransfer.objects.values_list("status", "received_quantity")),
            "records": "\\n".join(rows),
            "incoming": list(Incoming.objects.values_list("activity", flat=True)),
            "sent": list(Outgoing.objects.order_by("seq").values_list("activity", flat=True)),
            "waiting": Outgoing.objects.exclude(state="sent").count(),
        }
        print(json.dumps(facts, default=str))
        """,
    )
    assert at_b["lots"] == [
        [
            b.site,
            "9",
            a.facts["best_before"],
            "KB-0412",
            f"{a.site_name} (Leeds Food Network)",
        ]
    ]
    assert at_b["item"] == [["piece", "loaf"]]
    assert [[Decimal(q), s] for q, s in at_b["copy"]] == [[20, "open"]]
    assert [[s, Decimal(q)] for s, q in at_b["transfer"]] == [["received", 9]]
    assert at_b["waiting"] == 0
    kept = at_b["records"] + json.dumps(at_b["incoming"])
    assert "Lucia" not in kept and "Rosa" not in kept
    for words in a.people():
        assert words.lower() not in kept.lower()

    # Everything either install sent is Valueflows as its schemas say.
    kinds = set()
    for activity in at_a["sent"] + at_b["sent"]:
        kinds.update(validate_activity(activity))
    assert kinds == {"Proposal", "Intent", "Commitment", "EconomicEvent"}
    assert [m["type"] for m in at_a["sent"]] == ["Update", "Update", "Accept", "Create"]
    assert [m["type"] for m in at_b["sent"]] == ["Offer", "Create"]

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

from django.conf import settings
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


# Another site of the same network claims part of an offer: a claim inside the
# network, which the partner only hears of as the offer's new remainder.
def claim_locally(offer_pk, quantity, coordinator):
    from commonpot.services import create_site

    by = User.objects.get(username=coordinator)
    east = Site.objects.filter(slug="leeds-east").first() or create_site(
        by=by, name="Leeds East Pantry", slug="leeds-east", kind="food_bank", city="Leeds",
        time_zone="Europe/London",
    )
    return network.claim_offer(offer_id=offer_pk, site=east, by=by, quantity=Decimal(quantity))


# An offer as its owner has it, and as a partner's copy has it: what is left, its status.
def offers_here():
    return {
        f"{settings.SITE_URL}/federation/offers/{o.pk}": [dec(o.remaining), o.status]
        for o in Offer.objects.filter(share_with_partners=True)
    }


def copies_here():
    return {o.uri: [dec(o.quantity), o.status] for o in PartnerOffer.objects.all()}
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

    # A second claim, called off by Bradford before Leeds has seen it: Leeds
    # accepts it (holding the food), then reads the cancellation and puts the
    # food back on offer.
    claimed = b.as_lead().submit(
        offer_page, {"quantity": "5", "unit": "pieces"}, action=f"{offer_page}claim/"
    )
    b_second = path_of(claimed)
    assert b_second != b_transfer
    cancelled = b.as_lead().submit(
        b_second, {"reason": "Our van broke down"}, action=f"{b_second}cancel/"
    )
    assert transfer_status(cancelled.text) == "Cancelled"
    assert deliver(b) == {"sent": 2, "refused": 0, "failed": 0}
    # Leeds: the offer's remainder after the claim, the acceptance, the remainder
    # after the cancellation. Bradford takes the acceptance of a cancelled claim
    # as old news.
    assert deliver(a) == {"sent": 3, "refused": 0, "failed": 0}
    assert transfer_status(b.as_lead().get(b_second).text) == "Cancelled"

    # Leeds's ledger: what left is what was dispatched, the rest is where it was.
    at_a = run(
        a.install,
        """
        transfers = list(PartnerTransfer.objects.order_by("pk"))
        held = {}
        for h in Reservation.objects.filter(status="held"):
            held[h.reference] = held.get(h.reference, 0) + h.quantity
        facts = {
            "on_hand": dec(Lot.objects.filter(item__name="Bread").aggregate(t=Sum("on_hand"))["t"]),
            "dispatched": dec(sum(line.quantity for line in transfers[0].lines.all())),
            "transfers": [[t.status, dec(t.received_quantity), t.reason] for t in transfers],
            "offer": ledger(args["offer"])["offer"],
            "holds": {reference: dec(quantity) for reference, quantity in held.items()},
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
    assert at_a["transfers"] == [
        ["received", "9", ""],
        ["cancelled", None, "Our van broke down"],
    ]
    assert at_a["offer"] == ["20", "open"]  # 30 offered, 10 claimed across the link
    # Only the offer's own hold is left: 20 loaves, still on offer.
    assert at_a["holds"] == {f"offer:{a.facts['offer']}": "20"}
    assert at_a["waiting"] == 0
    # The claim, the receipt, the second claim, its cancellation.
    assert at_a["incoming"] == ["applied"] * 4

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
            "transfers": [
                [t.status, dec(t.received_quantity)]
                for t in PartnerTransfer.objects.order_by("pk")
            ],
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
    assert at_b["transfers"] == [["received", "9"], ["cancelled", None]]
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
    assert [m["type"] for m in at_a["sent"]] == [
        *("Update", "Update", "Accept", "Create"),
        *("Update", "Accept", "Update"),
    ]
    assert [m["type"] for m in at_b["sent"]] == ["Offer", "Create", "Offer", "Reject"]


# --- 2. A partner down for a while --------------------------------------------------------


def test_a_partner_down_for_a_while_loses_nothing_and_gets_nothing_twice(two_installs):
    a, b = paired_networks(two_installs)
    b.install.stop()

    # Five changes to shared offers while Bradford is down: three new offers, one
    # of them withdrawn, part of another claimed by a site of Leeds's own network.
    waiting = run(
        a.install,
        """
        lead = User.objects.get(username=args["lead"])
        site = Site.objects.get(slug=args["site"])
        lot = pantry.receive(
            site=site, item=Item.objects.get(name="Bread"), quantity=Decimal(60), by=lead,
            source="Kirkgate bakery", best_before=site.today() + timedelta(days=2),
        ).lot
        until = timezone.now() + timedelta(hours=24)
        posted = [
            network.post_offer(
                site=site, by=lead, lot=lot, quantity=Decimal(n), pickup_until=until,
                share_with_partners=True,
            ).pk
            for n in (10, 12, 14)
        ]
        network.withdraw_offer(offer_id=posted[1], by=lead)
        claim_locally(posted[2], 4, args["coordinator"])
        print(json.dumps([
            [m.seq, m.activity["id"]]
            for m in Outgoing.objects.filter(state="waiting").order_by("seq")
        ]))
        """,
        lead=a.lead[0],
        coordinator=a.coordinator[0],
        site=a.site,
    )
    assert len(waiting) >= 5
    assert [seq for seq, _ in waiting] == list(range(2, 2 + len(waiting)))

    # The first try fails: every message waits, and the partner's page says why.
    assert deliver(a) == {"sent": 0, "refused": 0, "failed": 1}
    partner_page = f"/network/partners/{a.partner_pk}/"
    page = text_of(a.as_coordinator().get(partner_page).text)
    assert f"{len(waiting)} messages wait to be sent." in page
    assert "The last try failed (ConnectionError" in page

    # Bradford is back. Leeds's coordinator presses "Send now" (which makes them due
    # and queues a job: here, the delivery command runs it).
    b.install.start()
    pressed = a.as_coordinator().submit(partner_page, {}, action=f"{partner_page}send/")
    assert "Sending what waits for Bradford Food Network." in text_of(pressed.text)
    assert deliver(a) == {"sent": len(waiting), "refused": 0, "failed": 0}
    assert deliver(a) == {"sent": 0, "refused": 0, "failed": 0}

    # One old message sent again by hand, properly signed: seen before, nothing done.
    again = run(
        a.install,
        """
        from pantry.federation.signing import signed_post

        message = Outgoing.objects.get(seq=args["seq"])
        body = json.dumps(message.activity).encode()
        answer = signed_post(message.partner.inbox_url, body)
        print(json.dumps({
            "status": answer.status_code,
            "answer": answer.json(),
            "offers": offers_here(),
            "outbox": [
                [m.seq, m.state, m.attempts]
                for m in Outgoing.objects.filter(seq__gte=2).order_by("seq")
            ],
        }))
        """,
        seq=waiting[2][0],
    )
    assert (again["status"], again["answer"]["outcome"]) == (200, "seen before")
    # The first was tried twice (down, then up); none after it was tried while it waited.
    assert again["outbox"] == [[seq, "sent", 2 if seq == 2 else 1] for seq, _ in waiting]

    at_b = run(
        b.install,
        """
        print(json.dumps({
            "incoming": [
                [m.activity_id, m.seq, m.outcome]
                for m in Incoming.objects.filter(seq__gte=2).order_by("pk")
            ],
            "all": Incoming.objects.count(),
            "copies": copies_here(),
        }))
        """,
    )
    # Each message once, in Leeds's order, applied; the first one (before the
    # outage) is the offer shared when the link was made.
    assert at_b["incoming"] == [[id_, seq, "applied"] for seq, id_ in waiting]
    assert at_b["all"] == 1 + len(waiting)
    # Bradford's copies are Leeds's offers as they are now.
    assert at_b["copies"] == again["offers"]
    assert sorted(again["offers"].values()) == [
        ["10", "open"],
        ["10", "open"],
        ["12", "withdrawn"],
        ["30", "open"],
    ]


# --- 3. Refusals, and a paused link --------------------------------------------------------


def test_a_claim_of_more_than_is_left_is_refused_and_a_paused_link_keeps_messages_waiting(
    two_installs,
):
    a, b = paired_networks(two_installs)
    offer = a.facts["offer"]

    # Leeds East claims 25 of the 30 loaves; Leeds's news of it is not sent yet.
    before = run(
        a.install,
        """
        claim_locally(args["offer"], 25, args["coordinator"])
        print(json.dumps(ledger(args["offer"])))
        """,
        offer=offer,
        coordinator=a.coordinator[0],
    )
    assert before["offer"] == ["5", "open"]

    # Bradford's copy still says 30: its lead claims 10.
    board = b.as_lead().get(f"/network/?near={b.site}")
    assert "30 loaves of Bread" in partner_cards(board.text)[0]
    offer_page = re.search(r'href="(/network/partner-offers/\d+/)"', board.text).group(1)
    claimed = b.as_lead().submit(
        offer_page, {"quantity": "10", "unit": "pieces"}, action=f"{offer_page}claim/"
    )
    b_transfer = path_of(claimed)
    assert transfer_status(claimed.text) == "Claimed, waiting for the sender"

    # Leeds refuses, holding nothing and taking nothing from its stock.
    assert deliver(b) == {"sent": 1, "refused": 0, "failed": 0}
    after = run(
        a.install,
        """
        print(json.dumps({
            **ledger(args["offer"]),
            "transfers": list(PartnerTransfer.objects.values_list("status", "reason")),
        }))
        """,
        offer=offer,
    )
    reason = "Only 5 loaves of Bread are still on offer; the claim asked for 10 loaves."
    assert after.pop("transfers") == [["refused", reason]]
    assert after == before

    # The offer's remainder and the refusal reach Bradford, in that order.
    assert deliver(a) == {"sent": 2, "refused": 0, "failed": 0}
    page = b.as_lead().get(b_transfer)
    assert transfer_status(page.text) == "Refused"
    assert f"Reason: {reason}" in text_of(page.text)

    # Leeds's coordinator pauses the link.
    a_partner = f"/network/partners/{a.partner_pk}/"
    paused = a.as_coordinator().submit(
        a_partner, {"status": "paused"}, action=f"{a_partner}status/"
    )
    assert "The link with Bradford Food Network is paused" in text_of(paused.text)

    # Bradford's lead claims the 5 loaves left ("Claim all" on the board) and shares
    # a need: both wait in Bradford's outbox, answered "paused" by Leeds.
    board_path = f"/network/?near={b.site}"
    board = b.as_lead().get(board_path)
    assert "5 loaves of Bread" in partner_cards(board.text)[0]
    claim_all = re.search(r'action="(/network/partner-offers/\d+/claim/)"', board.text).group(1)
    claimed = b.as_lead().submit(board_path, {}, action=claim_all)
    assert claimed.status_code == 200, text_of(claimed.text)[:2000]
    b_second = path_of(claimed)
    assert b_second != b_transfer
    run(
        b.install,
        """
        site = Site.objects.get(slug=args["site"])
        network.post_need(
            site=site, by=User.objects.get(username=args["lead"]), category="produce",
            quantity=Decimal(5000), needed_by=site.today() + timedelta(days=2),
            share_with_partners=True,
        )
        print(json.dumps(None))
        """,
        site=b.site,
        lead=b.lead[0],
    )
    assert deliver(b) == {"sent": 0, "refused": 0, "failed": 1}
    b_partner = f"/network/partners/{b.partner_pk}/"
    page = text_of(b.as_coordinator().get(b_partner).text)
    waiting = int(re.search(r"(\d+) messages wait to be sent\.", page).group(1))
    assert waiting >= 2
    assert "The last try failed (503: The link is paused here; send again later.)" in page

    # Resumed at Leeds; Bradford's coordinator sends what waits: it all arrives.
    resumed = a.as_coordinator().submit(
        a_partner, {"status": "active"}, action=f"{a_partner}status/"
    )
    assert "The link with Bradford Food Network is active again." in text_of(resumed.text)
    b.as_coordinator().submit(b_partner, {}, action=f"{b_partner}send/")
    assert deliver(b) == {"sent": waiting, "refused": 0, "failed": 0}
    # Leeds accepted the claim (the offer is all taken now) and tells Bradford.
    assert deliver(a) == {"sent": 2, "refused": 0, "failed": 0}
    page = b.as_lead().get(b_second)
    assert transfer_status(page.text) == "Accepted"
    at_a = run(
        a.install,
        """
        print(json.dumps({
            "offer": ledger(args["offer"])["offer"],
            "incoming": [[m.activity["type"], m.outcome] for m in Incoming.objects.order_by("seq")],
            "needs": list(PartnerNeed.objects.values_list("site_name", "category", "status")),
        }))
        """,
        offer=offer,
    )
    assert at_a["offer"] == ["0", "taken"]
    assert at_a["incoming"][0] == ["Offer", "refused"]
    assert ["Offer", "applied"] in at_a["incoming"]
    assert all(outcome == "applied" for _, outcome in at_a["incoming"][1:])
    assert at_a["needs"] == [[b.site_name, "produce", "open"]]


# --- 4. Ending a link, and pairing again -----------------------------------------------


def test_an_ended_link_is_told_to_the_partner_and_the_two_can_pair_again(two_installs):
    a, b = paired_networks(two_installs)
    a_partner = f"/network/partners/{a.partner_pk}/"
    ended = a.as_coordinator().submit(
        a_partner, {"status": "ended", "confirm": "yes"}, action=f"{a_partner}status/"
    )
    assert "The link with Bradford Food Network has ended." in text_of(ended.text)

    # Bradford is told: its link ends too, and Leeds's offer leaves its board.
    assert deliver(a) == {"sent": 1, "refused": 0, "failed": 0}
    page = b.as_coordinator().get(f"/network/partners/{b.partner_pk}/")
    assert "Link Ended" in text_of(page.text)
    board_path = f"/network/?near={b.site}"
    assert partner_cards(b.as_lead().get(board_path).text) == []

    # A new invitation pairs them again, and what Leeds shares crosses again.
    pair(a, b)
    take_part(a)
    assert deliver(a) == {"sent": 1, "refused": 0, "failed": 0}
    board = b.as_lead().get(board_path)
    assert "30 loaves of Bread" in partner_cards(board.text)[0]

    # Bradford's lead claims it all from the board; Leeds accepts.
    claim_all = re.search(r'action="(/network/partner-offers/\d+/claim/)"', board.text).group(1)
    claimed = b.as_lead().submit(board_path, {}, action=claim_all)
    assert transfer_status(claimed.text) == "Claimed, waiting for the sender"
    assert deliver(b) == {"sent": 1, "refused": 0, "failed": 0}
    assert deliver(a) == {"sent": 2, "refused": 0, "failed": 0}
    assert transfer_status(b.as_lead().get(path_of(claimed)).text) == "Accepted"

"""Which offers fit which needs, nearest first; and the emails about them."""

from datetime import UTC
from decimal import Decimal

import pytest
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from commonpot.models import Message, Site
from pantry.network.matches import (
    Distances,
    best_matches,
    distance_km,
    haversine_km,
    needs_for_offer,
    offers_for_need,
)
from pantry.network.models import Need, Offer
from tests.factories import MembershipFactory, SiteFactory
from tests.network.factories import need, offer, stock, yoghurt

pytestmark = pytest.mark.django_db


def test_haversine_gives_the_distance_between_two_cities():
    # Bristol to London is about 170 km as the crow flies.
    assert 165 < haversine_km(51.4545, -2.5879, 51.5074, -0.1278) < 175


PLACES = st.one_of(
    st.none(),
    st.tuples(
        st.decimals(min_value=-89, max_value=89, places=6),
        st.decimals(min_value=-180, max_value=180, places=6),
    ),
)


@given(a=PLACES, b=PLACES)
def test_the_dashboards_distances_are_the_same_as_one_pair_at_a_time(a, b):
    """Distances keeps each site's place in radians; the kilometres must not change."""
    one = Site(pk=1, latitude=a and a[0], longitude=a and a[1])
    two = Site(pk=2, latitude=b and b[0], longitude=b and b[1])
    distances = Distances()
    expected = distance_km(one, two)
    for first, second in ((one, two), (two, one), (one, two)):
        got = distances(first, second)
        if expected is None:
            assert got is None
        else:
            assert got == pytest.approx(expected, abs=1e-6)
    assert distances(one, one) == (None if a is None else 0.0)


NEARBY = st.one_of(
    st.none(),
    st.tuples(
        st.decimals(min_value=50, max_value=52, places=5),
        st.decimals(min_value=-3.5, max_value=-0.5, places=5),
    ),
)


@given(
    origin=st.one_of(NEARBY, PLACES),
    places=st.lists(st.one_of(NEARBY, PLACES), max_size=12),
    km=st.sampled_from([0.5, 1, 30, 80, 1000, 20000]),
)
def test_the_sites_around_a_site_hold_every_one_within_reach(origin, places, km):
    """The latitude band the dashboard looks in before any distance keeps every site
    within `km` and every site off the map; from a site off the map, every site."""
    home = Site(pk=100, latitude=origin and origin[0], longitude=origin and origin[1])
    sites = [Site(pk=i, latitude=p and p[0], longitude=p and p[1]) for i, p in enumerate(places, 1)]
    distances = Distances()
    around = {s.pk for s in distances.by_latitude(sites).around(home, km)}
    for s in sites:
        d = distance_km(home, s)
        if d is None or d <= km:
            assert s.pk in around
    if origin is None:
        assert around == {s.pk for s in sites}


@pytest.fixture
def open_things(site, other_site, lead, other_lead, item_bread, mapped):
    lot = stock(site, item_bread, "50000", by=lead, days=3)
    return {"lot": lot}


def test_an_offer_fits_a_need_for_its_item_or_category_good_in_time_even_in_part(
    site, other_site, lead, other_lead, item_bread, open_things
):
    o = offer(site, open_things["lot"], "20000", by=lead)
    fits = need(other_site, by=other_lead, item=item_bread, quantity="20000", days=3)
    category = need(other_site, by=other_lead, category="grains_bread", quantity="15000", days=1)
    more = need(other_site, by=other_lead, item=item_bread, quantity="25000", days=1)
    # The bread is best before in 3 days; bread may be given out 3 days past that.
    past_best_before = need(other_site, by=other_lead, item=item_bread, quantity="1000", days=6)
    too_late = need(other_site, by=other_lead, item=item_bread, quantity="1000", days=7)
    other_category = need(other_site, by=other_lead, category="produce", quantity="1000")
    own_site = need(site, by=lead, item=item_bread, quantity="1000")
    found = {m.need: m for m in needs_for_offer(o, Need.objects.open().with_limits())}
    assert set(found) == {fits, category, more, past_best_before}
    assert not set(found) & {too_late, other_category, own_site}
    assert found[fits].covers_label == "covers all 20 kg"
    assert found[more].covers_label == "covers 20 of 25 kg"


def test_a_category_need_is_met_by_weight_even_for_food_counted_in_pieces(
    site, other_site, lead, other_lead, mapped
):
    pots = offer(site, stock(site, yoghurt(), "30", by=lead), by=lead)  # 15 kg
    whole = need(other_site, by=other_lead, category="dairy_eggs", quantity="15000")
    part = need(other_site, by=other_lead, category="dairy_eggs", quantity="20000")
    found = {m.need: m for m in needs_for_offer(pots, [whole, part])}
    assert found[whole].is_whole and found[whole].covers_label == "covers all 15 kg"
    assert found[part].share == Decimal("0.75")
    assert found[part].covers_label == "covers 15 of 20 kg"


def test_offers_for_a_need_come_nearest_first_and_unplaced_sites_last(
    site, other_site, lead, other_lead, item_bread, mapped
):
    n = need(other_site, by=other_lead, item=item_bread, quantity="1000", within_km=200)
    far = SiteFactory(name="Far", latitude=Decimal("53"), longitude=Decimal("-2"))
    nowhere = SiteFactory(name="Nowhere")
    made = {}
    for s in (nowhere, far, site):
        s_lead = lead if s == site else MembershipFactory(site=s, role="lead").user
        made[s.name] = offer(s, stock(s, item_bread, "5000", by=s_lead), by=s_lead)
    matches = offers_for_need(n, Offer.objects.open().select_related("site", "item"))
    assert [m.offer.site.name for m in matches] == ["Riverside Kitchen", "Far", "Nowhere"]
    assert matches[0].distance_label == "9 km" and matches[2].distance_label == "distance unknown"
    assert best_matches([n], list(Offer.objects.select_related("site", "item")), per_need=1) == {
        n.pk: matches[:1]
    }


def test_a_new_offer_emails_the_lead_of_each_need_it_fits_once(
    site, other_site, lead, other_lead, item_bread, open_things, django_capture_on_commit_callbacks
):
    n = need(other_site, by=other_lead, category="grains_bread", quantity="10000")
    with django_capture_on_commit_callbacks(execute=True):
        o = offer(site, open_things["lot"], "20000", by=lead)
    message = Message.objects.get(kind="network_match")
    assert message.key == f"match:offer:{o.pk}:need:{n.pk}"
    assert message.to_user == other_lead
    (sent,) = mail.outbox
    assert (
        sent.to == [other_lead.email] and "Riverside Kitchen offers 20 kg of Bread" in sent.subject
    )
    assert o.get_absolute_url() in sent.body

    from pantry.network import tasks

    assert tasks.notify_offer_matches(o.pk) == 0  # a second run decides nothing new
    assert len(mail.outbox) == 1


def test_an_offer_that_fits_no_need_emails_nobody(
    site, other_site, lead, other_lead, item_bread, open_things, django_capture_on_commit_callbacks
):
    need(other_site, by=other_lead, category="produce", quantity="10000")
    with django_capture_on_commit_callbacks(execute=True):
        offer(site, open_things["lot"], "20000", by=lead)
    assert not Message.objects.filter(kind="network_match").exists() and not mail.outbox


def test_a_claim_emails_the_lead_who_offered(
    site, other_site, lead, other_lead, open_things, django_capture_on_commit_callbacks
):
    from pantry.network import services

    o = offer(site, open_things["lot"], "20000", by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    (sent,) = [m for m in mail.outbox if "claimed" in m.subject]
    assert sent.to == [lead.email] and "Eastside Food Bank claimed 20 kg of Bread" in sent.subject


def _world(data):
    """Sites, offers and needs in memory (no database): random places, items, dates."""
    from datetime import date, datetime, timedelta

    from commonpot.models import Site
    from pantry.models import Item

    sites = []
    for i, placed in enumerate(data["placed"]):
        lat, lng = (
            (Decimal(f"{51 + placed[0]:.3f}"), Decimal(f"{-2 + placed[1]:.3f}"))
            if placed[2]
            else (None, None)
        )
        sites.append(Site(pk=i + 1, name=f"S{i}", latitude=lat, longitude=lng))
    items = [
        Item(pk=j + 1, name=f"I{j}", category=("produce", "dairy_eggs")[j % 2], base_unit="g")
        for j in range(4)
    ]
    start = datetime(2030, 1, 1, tzinfo=UTC)
    offers = [
        Offer(
            pk=k + 1,
            site=sites[s % len(sites)],
            item=items[it % 4],
            quantity=Decimal(q),
            remaining=Decimal(q),
            best_before=date(2030, 1, 1) + timedelta(days=d),
            closes_at=start + timedelta(hours=h),
        )
        for k, (s, it, q, d, h) in enumerate(data["offers"])
    ]
    needs = [
        Need(
            pk=k + 1,
            site=sites[s % len(sites)],
            item=items[it % 4] if by_item else None,
            category=items[it % 4].category,
            quantity=Decimal(q),
            needed_by=date(2030, 1, 1) + timedelta(days=d),
            within_km=km,
        )
        for k, (s, it, by_item, q, d, km) in enumerate(data["needs"])
    ]
    return offers, needs


def test_best_matches_finds_what_sorting_every_fitting_offer_finds():
    """The nearest-first walk that stops early gives the same answer as a full sort,
    with partial fits, distance limits and sites off the map."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    small = st.integers(0, 9)
    world = st.fixed_dictionaries(
        {
            "placed": st.lists(
                st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.booleans()), min_size=1, max_size=6
            ),
            "offers": st.lists(
                st.tuples(small, small, st.integers(1, 50), small, st.integers(1, 5)), max_size=40
            ),
            "needs": st.lists(
                st.tuples(
                    small,
                    small,
                    st.booleans(),
                    st.integers(1, 50),
                    small,
                    st.sampled_from([1, 30, 80, 1000]),
                ),
                max_size=15,
            ),
        }
    )

    @settings(max_examples=150, deadline=None)
    @given(data=world, per_need=st.integers(1, 4))
    def check(data, per_need):
        offers, needs = _world(data)
        fast = best_matches(needs, offers, per_need=per_need)
        for n in needs:
            assert fast[n.pk] == offers_for_need(n, offers, limit=per_need)

    check()

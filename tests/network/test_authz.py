"""Every network URL x every actor -> the expected status.

The transfers here run between the lead's site and a third site, except the
one being received, which goes to the other lead's site: so each lead is seen
acting on their own side only.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from pantry.network import services
from pantry.network.models import Need, Offer
from pantry.network.services import runs
from tests.authz import Row, check_matrix, everyone, lead_only, public
from tests.factories import MembershipFactory, SiteFactory
from tests.network.factories import need, offer, stock

pytestmark = pytest.mark.django_db


def network(status=200, **overrides):
    """Leads of any site and coordinators; volunteers and outsiders refused."""
    base = {
        "coordinator": status,
        "lead": status,
        "other_lead": status,
        "volunteer": 403,
        "outsider": 403,
        "anonymous": 302,
    }
    base.update(overrides)
    return base


def coordinator_only(status=200):
    return everyone(403, coordinator=status, anonymous=302)


def parties(status=200, **overrides):
    """The transfer's two sides (here: the lead's site and a third) and coordinators."""
    return network(coordinator=status, lead=status, other_lead=403, **overrides)


ROWS = [
    Row("GET", "network:board", expect=network()),
    Row("GET", "network:board", data={"show": "needs"}, expect=network()),
    Row("GET", "network:sites_suggested", data={"site": "east"}, expect=network()),
    Row("GET", "network:items_suggested", data={"item": "bre"}, expect=network()),
    Row("GET", "network:dashboard", expect=coordinator_only()),
    Row("GET", "network:sites_geojson", expect=coordinator_only()),
    Row("GET", "network:transfers", expect=network()),
    Row("GET", "network:transfer_new", expect=network()),
    Row("GET", "network:offer", {"pk": "offer"}, expect=network()),
    # Empty posts: past the permission check they are refused as bad input.
    Row("POST", "network:offer_claim", {"pk": "offer"}, expect=network(400)),
    Row("POST", "network:offer_withdraw", {"pk": "spare_offer"}, expect=parties(302)),
    Row("GET", "network:need", {"pk": "need"}, expect=network()),
    Row(
        "POST",
        "network:need_close",
        {"pk": "need"},
        expect=network(400, lead=403, other_lead=400),
    ),
    Row("GET", "network:transfer", {"pk": "proposed"}, expect=parties()),
    Row("GET", "network:transfer_manifest", {"pk": "proposed"}, expect=parties()),
    Row("POST", "network:transfer_accept", {"pk": "proposed"}, expect=parties(302)),
    Row("POST", "network:transfer_dispatch", {"pk": "accepted"}, expect=parties(302)),
    Row("POST", "network:transfer_cancel", {"pk": "accepted"}, expect=parties(400)),
    Row(
        "GET",
        "network:transfer_receive",
        {"pk": "dispatched"},
        expect=network(lead=403, other_lead=200),
    ),
    Row("GET", "network:runs", expect=network()),
    Row("GET", "network:run", {"pk": "run"}, expect=lead_only()),
    Row("POST", "network:run_stop_add", {"pk": "run"}, expect=lead_only(coordinator=400, lead=400)),
    Row("POST", "network:run_order", {"pk": "run"}, expect=lead_only(coordinator=302, lead=302)),
    Row(
        "POST", "network:run_stop_move", {"pk": "stop"}, expect=lead_only(coordinator=400, lead=400)
    ),
    # The driver's page and steps: the run's site's leads, coordinators, and its driver.
    Row("GET", "network:run_drive", {"pk": "run"}, expect=lead_only()),
    Row(
        "POST",
        "network:run_line_pickup",
        {"pk": "stop_line"},
        expect=lead_only(coordinator=302, lead=302),
    ),
    Row(
        "POST",
        "network:run_stop_finish",
        {"pk": "stop"},
        expect=lead_only(coordinator=302, lead=302),
    ),
    Row("GET", "network:site_surplus", {"slug": "site"}, expect=lead_only()),
    Row("GET", "network:offer_new", {"slug": "site"}, expect=lead_only()),
    Row("GET", "network:need_new", {"slug": "site"}, expect=lead_only()),
    Row(
        "GET",
        "network:site_surplus",
        {"slug": "private"},
        expect=lead_only(lead=404, other_lead=404, volunteer=404, outsider=404),
    ),
    # Murmurations profiles are open data: anyone may read a shared offer's or need's;
    # one not shared with partner networks has none.
    Row("GET", "network:offer_murmurations", {"pk": "offer"}, expect=public()),
    Row("GET", "network:offer_murmurations", {"pk": "spare_offer"}, expect=everyone(404)),
    Row("GET", "network:need_murmurations", {"pk": "need"}, expect=public()),
]


@pytest.fixture
def network_names(site, other_site, private_site, lead, other_lead, item_bread, mapped):
    """The offers, need and transfers (one in each state) the rows' kwargs name."""
    third = SiteFactory(name="Third Kitchen", stores__has_chilled_storage=True)
    third_lead = MembershipFactory(site=third, role="lead").user
    lot = stock(site, item_bread, "90000", by=lead)
    shown = offer(site, lot, "10000", by=lead)
    spare = offer(site, lot, "10000", by=lead)

    def claimed(by_site, by_lead):
        o = offer(site, lot, "10000", by=lead)
        return services.claim_offer(offer_id=o.pk, site=by_site, by=by_lead)

    proposed = claimed(third, third_lead)
    accepted = claimed(third, third_lead)
    services.accept_transfer(transfer_id=accepted.pk, by=lead)
    dispatched = claimed(other_site, other_lead)
    services.accept_transfer(transfer_id=dispatched.pk, by=lead)
    services.dispatch_transfer(transfer_id=dispatched.pk, by=lead)
    loaded = claimed(third, third_lead)
    services.accept_transfer(transfer_id=loaded.pk, by=lead)
    run = runs.plan_run(
        site=site,
        by=lead,
        day=site.today(),
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=6),
        capacity_kg="500",
    )
    stop = runs.add_stop(
        run_id=run.pk,
        by=lead,
        kind="pickup",
        site=site,
        transfers=[loaded],
        window_from=timezone.now(),
        window_until=timezone.now() + timedelta(hours=6),
    )
    wanted = need(other_site, by=other_lead, category="produce")
    Offer.objects.filter(pk=shown.pk).update(share_with_partners=True)
    Need.objects.filter(pk=wanted.pk).update(share_with_partners=True)
    return {
        "run": run.pk,
        "stop": stop.pk,
        "stop_line": stop.lines.get().pk,
        "offer": shown.pk,
        "spare_offer": spare.pk,
        "need": wanted.pk,
        "proposed": proposed.pk,
        "accepted": accepted.pk,
        "dispatched": dispatched.pk,
        "site": site.slug,
        "private": private_site.slug,
    }


@pytest.mark.slow
def test_every_network_url_answers_each_actor_as_expected(actors, network_names):
    def resolve(kwargs):
        return {name: network_names[value] for name, value in kwargs.items()}

    check_matrix(ROWS, actors, resolve)

"""Sites claiming the same offer at the same moment: one gets it, the others are told.

Each claimer runs on its own thread with its own database connection, released
together by a barrier. On PostgreSQL the offer's row lock makes them queue; on
SQLite (a file here) the write transaction does.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from commonpot.errors import DomainError
from pantry.models import Reservation
from pantry.network import services
from pantry.network.models import Offer, Transfer
from tests.factories import MembershipFactory, SiteFactory
from tests.network.factories import offer, stock

pytestmark = pytest.mark.django_db(transaction=True)
CLAIMERS = 5


def claim_at_once(o: Offer, quantity: Decimal | None = None) -> tuple[list, list, list]:
    """CLAIMERS sites claim `o` together; returns (winners, refusals, other failures)."""
    claimers = []
    for i in range(CLAIMERS):
        s = SiteFactory(name=f"Claimer {i}")
        claimers.append((s, MembershipFactory(site=s, role="lead").user))
    barrier = threading.Barrier(CLAIMERS)
    won, told, failed = [], [], []

    def claim(s, person) -> None:
        try:
            barrier.wait()
            services.claim_offer(offer_id=o.pk, site=s, by=person, quantity=quantity)
            won.append(s.name)
        except DomainError as e:
            told.append(e.message)
        except Exception as e:  # noqa: BLE001 - any other failure fails the test
            failed.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=c) for c in claimers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, told, failed


def test_of_sites_claiming_one_offer_at_once_one_gets_it_and_the_others_are_told(
    site, lead, item_bread, mapped
):
    o = offer(site, stock(site, item_bread, "40000", by=lead), by=lead)
    won, told, failed = claim_at_once(o)
    assert failed == []
    assert len(won) == 1 and len(told) == CLAIMERS - 1
    assert all("Someone else claimed all of this Bread first" in m for m in told)
    transfer = Transfer.objects.get()
    assert transfer.destination.name == won[0] and transfer.quantity == 40000
    o.refresh_from_db()
    assert (o.status, o.remaining) == (Offer.Status.TAKEN, 0)
    held = Reservation.objects.filter(status="held")
    assert [(r.reference, r.quantity) for r in held] == [(f"transfer:{transfer.pk}", 40000)]


def test_sites_claiming_parts_at_once_never_get_more_than_was_offered(
    site, lead, item_bread, mapped
):
    o = offer(site, stock(site, item_bread, "40000", by=lead), by=lead)
    won, told, failed = claim_at_once(o, quantity=Decimal(15000))
    # 40 kg on offer: two claims of 15 kg fit, the third does not.
    assert failed == []
    assert len(won) == 2 and len(told) == CLAIMERS - 2
    assert all("Only 10 kg of Bread is still on offer" in m for m in told)
    o.refresh_from_db()
    assert (o.status, o.remaining) == (Offer.Status.OPEN, 10000)
    assert sum(t.quantity for t in Transfer.objects.all()) == 30000

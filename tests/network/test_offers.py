"""Offering surplus: what is held, what is refused, when an offer closes."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.errors import DomainError
from pantry.models import Lot, Reservation
from pantry.network import services
from pantry.network.models import Offer
from pantry.services import NotEnoughStock
from tests.conftest import client_for
from tests.network.factories import offer, stock

pytestmark = pytest.mark.django_db


def test_an_offer_holds_its_food_so_the_site_cannot_use_it_twice(site, lead, bread_lot):
    o = offer(site, bread_lot, "30000", by=lead)
    bread_lot.refresh_from_db()
    assert (bread_lot.on_hand, bread_lot.reserved) == (40000, 30000)
    assert Reservation.objects.get(reference=f"offer:{o.pk}").quantity == 30000
    assert o.best_before == bread_lot.best_before
    assert o.remaining == o.quantity == 30000


def test_an_offer_closes_at_the_end_of_the_last_day_its_food_may_be_given_out(
    site, lead, bread_lot
):
    """Bread is best before: the site allows 3 days past it by default."""
    o = offer(site, bread_lot, by=lead, hours=24 * 14)
    local_close = site.local(o.closes_at)
    assert local_close.date() == bread_lot.best_before + timedelta(days=3 + 1)
    assert (local_close.hour, local_close.minute) == (0, 0)


def test_an_offer_closes_when_its_pickup_window_ends_if_that_is_sooner(site, lead, bread_lot):
    o = offer(site, bread_lot, by=lead, hours=3)
    assert o.closes_at == o.pickup_until


def test_offering_more_than_is_free_says_how_much_there_is_and_writes_nothing(
    site, lead, bread_lot
):
    with pytest.raises(NotEnoughStock, match=r"Only 40 kg of Bread is free to offer in this lot"):
        offer(site, bread_lot, "45000", by=lead)
    assert not Offer.objects.exists()
    bread_lot.refresh_from_db()
    assert bread_lot.reserved == 0


def test_food_already_offered_cannot_be_offered_again(site, lead, bread_lot):
    offer(site, bread_lot, "30000", by=lead)
    with pytest.raises(NotEnoughStock, match="Only 10 kg"):
        offer(site, bread_lot, "20000", by=lead)
    assert Offer.objects.count() == 1


def test_a_lot_past_its_use_by_date_cannot_be_offered(site, lead, item_bread, mapped):
    old = stock(site, item_bread, "5000", by=lead, days=-1, date_kind="use_by")
    with pytest.raises(DomainError, match="passed its use-by date on .*can only be discarded"):
        offer(site, old, "1000", by=lead)
    assert not Offer.objects.exists()


def test_a_lead_cannot_offer_another_sites_lot(site, other_site, lead, other_lead, bread_lot):
    with pytest.raises(DomainError, match="belongs to Riverside Kitchen"):
        services.post_offer(
            site=other_site,
            by=other_lead,
            lot=bread_lot,
            quantity=Decimal(1000),
            pickup_until=timezone.now() + timedelta(hours=5),
        )
    with pytest.raises(DomainError, match="Only leads of Riverside Kitchen"):
        offer(site, bread_lot, "1000", by=other_lead)
    assert not Offer.objects.exists()


def test_a_pickup_window_in_the_past_is_refused(site, lead, bread_lot):
    with pytest.raises(DomainError, match="must end in the future") as e:
        offer(site, bread_lot, "1000", by=lead, hours=-1)
    assert e.value.field == "pickup_until"
    assert not Offer.objects.exists()


def test_the_same_offer_form_sent_twice_offers_once(site, lead, bread_lot):
    import uuid

    token = uuid.uuid4()
    # The same form: the same pickup time, as typed.
    until = timezone.now() + timedelta(hours=48)
    first = offer(site, bread_lot, "10000", by=lead, token=token, pickup_until=until)
    second = offer(site, bread_lot, "10000", by=lead, token=token, pickup_until=until)
    assert first == second
    bread_lot.refresh_from_db()
    assert bread_lot.reserved == 10000


def test_withdrawing_an_offer_gives_the_food_back_to_the_site(site, lead, bread_lot):
    o = offer(site, bread_lot, by=lead)
    services.withdraw_offer(offer_id=o.pk, by=lead)
    o.refresh_from_db()
    bread_lot.refresh_from_db()
    assert o.status == Offer.Status.WITHDRAWN and bread_lot.reserved == 0


def test_a_lapsed_offer_is_hidden_at_once_and_closed_by_the_schedule(site, lead, bread_lot):
    o = offer(site, bread_lot, by=lead, hours=1)
    later = timezone.now() + timedelta(hours=2)
    assert not Offer.objects.open(later).exists()
    assert Offer.objects.open().get() == o

    from pantry.network import tasks

    assert services.close_lapsed(later) == {"offers": 1, "needs": 0}
    o.refresh_from_db()
    bread_lot.refresh_from_db()
    assert o.status == Offer.Status.EXPIRED and bread_lot.reserved == 0
    # Running it again finds nothing left to do.
    assert tasks.close_lapsed() == {"offers": 0, "needs": 0}


def test_closing_lapsed_offers_goes_on_past_one_that_cannot_be_closed(site, lead, bread_lot):
    broken = offer(site, bread_lot, "10000", by=lead, hours=1)
    fine = offer(site, bread_lot, "10000", by=lead, hours=1)
    real_release = services.pantry.release_reservations

    def release(reference, *args, **kwargs):
        released = real_release(reference, *args, **kwargs)
        if reference == broken.reference:
            raise RuntimeError("the lot row is damaged")
        return released

    later = timezone.now() + timedelta(hours=2)
    with mock.patch.object(services.pantry, "release_reservations", side_effect=release):
        counts = services.close_lapsed(later)

    assert counts == {"offers": 1, "needs": 0, "errors": 1}
    broken.refresh_from_db()
    fine.refresh_from_db()
    bread_lot.refresh_from_db()
    assert fine.status == Offer.Status.EXPIRED
    # The broken offer's release was rolled back with it: its food is still held.
    assert broken.status == Offer.Status.OPEN
    assert Reservation.objects.get(reference=broken.reference).quantity == 10000
    assert bread_lot.reserved == 10000


def test_leftovers_are_offered_as_a_prepared_meal_lot(site, lead, mapped):
    from pantry.models import Item
    from tests.pantry.factories import ItemFactory

    stew = ItemFactory(
        name="Lentil stew (cooked)",
        category=Item.Category.PREPARED,
        base_unit=Item.Unit.PIECE,
        piece_name="portion",
        weight_per_piece_g=Decimal("350"),
        storage="chilled",
    )
    lot = stock(site, stew, "20", by=lead, days=1, source="Tuesday lunch leftovers")
    o = offer(site, lot, by=lead)
    assert o.is_leftovers and o.cold_chain == "chilled"
    assert o.remaining_display == "20 portions" and o.weight_display == "7 kg"
    assert Lot.objects.get(pk=lot.pk).reserved == 20


def test_the_lapse_job_is_scheduled_every_ten_minutes():
    from commonpot.schedules import app_schedules

    assert ("network.close_lapsed", "pantry.network.tasks.close_lapsed", 10) in app_schedules()


def test_bread_past_best_before_can_be_offered_flagged_until_its_last_day(
    site, other_lead, lead, item_bread, mapped
):
    """Two days past best-before, within the 3 days allowed for bread: offered,
    flagged on the board, and closing at the end of its last allowed day."""
    old = stock(site, item_bread, "5000", by=lead, days=-2)
    o = offer(site, old, "5000", by=lead, hours=24 * 7)
    assert site.local(o.closes_at).date() == site.today() + timedelta(days=2)
    page = client_for(other_lead).get(reverse("network:board")).content.decode()
    assert "past best before" in page

"""The Django admin holds every table, and every list page opens."""

import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

OUR_APPS = {"commonpot", "pantry", "network", "federation", "kitchen", "volunteers"}


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_is_in_the_admin():
    missing = [m._meta.label for m in our_models() if not admin.site.is_registered(m)]
    assert not missing, f"not in the admin: {missing}"


def add_what_the_demo_leaves_out():
    """One row of each table the demo network leaves empty, so that every admin
    change page below opens on a real row."""
    from django.utils import timezone

    from commonpot import mail as outbox
    from commonpot.models import Site, User, WorkerHeartbeat
    from pantry import services as pantry
    from pantry.models import Lot
    from pantry.network import services as network
    from pantry.network.models import Offer
    from pantry.services import donations
    from volunteers import services as volunteers
    from volunteers.models import Rota, RotaException, Shift, ShiftPolicy, VolunteerProfile

    WorkerHeartbeat.objects.create(last_seen=timezone.now())
    vera = User.objects.get(username="volunteer")
    riverside = Site.objects.get(slug="riverside-kitchen")
    outbox.queue_email(
        key="admin-test", kind="reminder", to=vera, site=riverside, subject="Hi", text="Hello."
    )
    VolunteerProfile.objects.get_or_create(user=vera)
    ShiftPolicy.objects.get_or_create(site=riverside)
    # Texts: a site's monthly cap, a number that said STOP, a reply received.
    from commonpot import services as core
    from commonpot import sms_replies
    from commonpot.models import SmsOptOut

    core.save_sms_policy(riverside, monthly_cap=200)
    core.save_push_subscription(
        vera,
        endpoint="https://push.example/send/abc",
        p256dh="BGgL7I82SAQM78oyGwaJdrQFhVfZqL9h4Y18BLtgJQ-9pSGXwxqAWQudqmcv41RcWgk1ssUeItv4-8khxbhYveM",
        auth="ANlfcVVFB4JiMYcI_FnmCA",
    )
    SmsOptOut.objects.create(phone="+447700900555")
    sms_replies.receive_text(
        provider="twilio", provider_id="SM-admin", from_phone="+447700900556", body="HELP"
    )
    rota = Rota.objects.filter(site=riverside).first()
    RotaException.objects.create(rota=rota, date=riverside.today())
    shift = Shift.objects.filter(site=riverside, sign_ups__status="confirmed").first()
    lead = User.objects.get(username="lead")
    volunteers.message_shift(shift=shift, by=lead, subject="Aprons", body="Bring one.")
    # A hold: the demo's fridge read too warm once, and its food released.
    from pantry.models import Equipment, LotHold
    from pantry.services import equipment, holds

    fridge = Equipment.objects.filter(site=riverside).first()
    warm = equipment.log_reading(fridge, value_c=fridge.limit_c + 4, by=lead)
    for hold in warm.holds:
        holds.release_hold(hold, by=lead, reason="Door left open; food checked at 4 °C")
    assert LotHold.objects.exists()
    # Invitations, a walk-in and attendance, an hours certificate, a watch and a
    # leads' note are in the demo itself (volunteers/demo.py: seed_people_features).
    from volunteers.regulars import attach_regular, take_regular_off_date

    regular, _ = attach_regular(rota_id=rota.pk, by=lead, volunteer=vera)
    take_regular_off_date(
        regular_id=regular.pk, by=lead, day=next_rota_day(rota, riverside.today())
    )
    from pantry.services.recalls import Criteria, start_recall

    dated = Lot.objects.filter(site=riverside, on_hand__gt=0, best_before__isnull=False).first()
    on = dated.best_before
    start_recall(
        title="A recall for the admin to show",
        criteria=Criteria(item=dated.item, dated_from=on, dated_until=on),
        by=lead,
        site=riverside,
    )
    lot = Lot.objects.filter(site=riverside, on_hand__gt=0).first()
    pantry.record_count(
        site=riverside, storage=lot.item.storage, counted={lot.pk: lot.on_hand}, by=lead
    )
    donations.import_donations(
        site=riverside,
        rows=[
            donations.ImportRow(
                received_on=riverside.today(),
                donor_name="",
                donor_kind="",
                line=donations.LineInput(item=lot.item, quantity="1", unit=lot.item.base_unit),
            )
        ],
        by=lead,
        token=uuid.uuid4(),
        content_sha256="0" * 64,
        file_name="admin-test.csv",
    )
    offer = Offer.objects.open().first()
    eastside = Site.objects.get(slug="eastside-food-bank")
    transfer = network.claim_offer(
        offer_id=offer.pk, site=eastside, by=User.objects.get(username="foodbank-lead")
    )
    camp_lead = User.objects.get(username="camp-lead")
    network.accept_transfer(transfer_id=transfer.pk, by=camp_lead)
    network.dispatch_transfer(transfer_id=transfer.pk, by=camp_lead)
    add_a_partner_network()


def add_a_partner_network():
    """A partner install's rows: its link, one message each way, a shared offer
    and need of its own, and a transfer across the link with one line."""
    from datetime import timedelta

    from django.utils import timezone

    from commonpot.models import Site, User
    from pantry.federation import services as federation
    from pantry.federation import signing
    from pantry.federation.models import (
        Incoming,
        Partner,
        PartnerNeed,
        PartnerOffer,
        PartnerTransfer,
        PartnerTransferLine,
        SeenNonce,
    )

    coordinator = User.objects.get(username="coordinator")
    federation.make_invitation(by=coordinator)
    partner = Partner.objects.create(
        name="Riverside Network",
        url="https://riverside.example",
        key_id="https://riverside.example/federation/actor#key",
        public_key_pem=signing.own_public_key(),
    )
    federation.set_status(partner_id=partner.pk, status=Partner.Status.ENDED, by=coordinator)
    SeenNonce.objects.create(partner=partner, nonce="n-1")
    Incoming.objects.create(
        partner=partner,
        activity_id="https://riverside.example/a/1",
        seq=1,
        kind="Update",
        outcome=Incoming.Outcome.APPLIED,
        activity={},
    )
    later = timezone.now() + timedelta(days=1)
    shared = dict(
        partner=partner,
        version=1,
        site_name="Riverside Pantry",
        item_name="Apples",
        category="produce",
        base_unit="g",
        quantity=5000,
        closes_at=later,
        status="open",
    )
    offer = PartnerOffer.objects.create(
        uri="https://riverside.example/federation/offers/1",
        pickup_from=timezone.now(),
        pickup_until=later,
        **shared,
    )
    PartnerNeed.objects.create(uri="https://riverside.example/federation/needs/1", **shared)
    transfer = PartnerTransfer.objects.create(
        partner=partner,
        direction=PartnerTransfer.Direction.IN,
        site=Site.objects.first(),
        partner_site_name="Riverside Pantry",
        partner_offer=offer,
        item_name="Apples",
        base_unit="g",
        category="produce",
        quantity=5000,
        status=PartnerTransfer.Status.DISPATCHED,
    )
    PartnerTransferLine.objects.create(transfer=transfer, quantity=5000)


def next_rota_day(rota, today):
    """The rota's next date from `today` on."""
    from datetime import timedelta

    return next(
        d for d in (today + timedelta(days=n) for n in range(7)) if rota.runs_on(d.weekday())
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_every_admin_list_and_first_row_opens_on_the_demo_network(client):
    call_command("seed_demo")
    add_what_the_demo_leaves_out()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in our_models():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        first = model.objects.first()
        assert first is not None, f"no {opts.label} row: add one in add_what_the_demo_leaves_out"
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert client.get(url).status_code == 200, url

"""The outbox: each partner's messages go strictly in order, each until it is
taken; a partner that is down, slow or paused loses nothing; a message it
refuses for what it says is kept with the reason and the next one goes."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from django.utils import timezone

from pantry.federation import delivery
from pantry.federation.models import Outgoing, Partner
from pantry.federation.services import _send

pytestmark = pytest.mark.django_db


class FakePartner:
    """Stands for the partner's inbox: answers each POST as told, keeps what it took."""

    def __init__(self, monkeypatch):
        self.answers: list = []
        self.taken: list[int] = []
        monkeypatch.setattr(delivery, "signed_post", self.post)

    def post(self, url, body, **kwargs):
        import json

        answer = self.answers.pop(0) if self.answers else 202
        if isinstance(answer, Exception):
            raise answer
        status, reason, headers = (answer, "", {}) if isinstance(answer, int) else answer
        if 200 <= status < 300:
            self.taken.append(json.loads(body)["sequence"])
        return SimpleNamespace(
            status_code=status,
            reason="",
            headers=headers,
            json=lambda: {"reason": reason},
        )


@pytest.fixture
def partner(db):
    return Partner.objects.create(
        name="Harbour Food Network",
        url="http://partner.example",
        key_id="http://partner.example/federation/actor#key",
        public_key_pem="",
    )


def queue(partner, n: int) -> None:
    for i in range(n):
        _send(partner, "Update", {"type": "Proposal", "id": f"x/{i}"})


def test_messages_go_in_order_each_once(partner, monkeypatch):
    inbox = FakePartner(monkeypatch)
    queue(partner, 5)
    assert delivery.deliver(partner.pk) == {"sent": 5, "refused": 0, "failed": 0}
    assert inbox.taken == [1, 2, 3, 4, 5]
    assert delivery.deliver(partner.pk)["sent"] == 0
    assert inbox.taken == [1, 2, 3, 4, 5]


def test_a_partner_down_stops_the_queue_and_it_goes_on_later_in_order(partner, monkeypatch):
    inbox = FakePartner(monkeypatch)
    queue(partner, 3)
    inbox.answers = [202, requests.ConnectionError("refused")]
    assert delivery.deliver(partner.pk) == {"sent": 1, "refused": 0, "failed": 1}
    second = Outgoing.objects.get(partner=partner, seq=2)
    assert second.state == Outgoing.State.WAITING
    assert "ConnectionError" in second.last_error
    assert second.next_attempt_at > timezone.now() + timedelta(seconds=20)
    # Not due yet: nothing goes, and the third is not sent ahead of the second.
    assert delivery.deliver(partner.pk)["sent"] == 0
    assert inbox.taken == [1]
    later = timezone.now() + timedelta(minutes=2)
    assert delivery.deliver(partner.pk, now=later)["sent"] == 2
    assert inbox.taken == [1, 2, 3]


def test_each_failure_waits_longer_up_to_an_hour(partner, monkeypatch):
    FakePartner(monkeypatch)
    waits = [delivery.backoff(n) for n in range(1, 12)]
    assert waits[0] == timedelta(seconds=30)
    assert waits == sorted(waits)
    assert waits[-1] == timedelta(hours=1)


def test_a_paused_partner_says_when_to_come_back(partner, monkeypatch):
    inbox = FakePartner(monkeypatch)
    queue(partner, 2)
    inbox.answers = [(503, "The link is paused here; send again later.", {"Retry-After": "300"})]
    now = timezone.now()
    delivery.deliver(partner.pk, now=now)
    first = Outgoing.objects.get(partner=partner, seq=1)
    assert first.state == Outgoing.State.WAITING
    assert first.next_attempt_at == now + timedelta(seconds=300)
    assert "paused" in first.last_error
    delivery.deliver(partner.pk, now=now + timedelta(seconds=301))
    assert inbox.taken == [1, 2]


def test_a_message_refused_for_what_it_says_is_kept_and_the_next_goes(partner, monkeypatch):
    inbox = FakePartner(monkeypatch)
    queue(partner, 3)
    inbox.answers = [202, (400, "sequence is missing.", {})]
    assert delivery.deliver(partner.pk) == {"sent": 2, "refused": 1, "failed": 0}
    refused = Outgoing.objects.get(partner=partner, seq=2)
    assert refused.state == Outgoing.State.REFUSED
    assert refused.last_error == "400: sequence is missing."
    assert inbox.taken == [1, 3]


def test_nothing_goes_to_a_paused_or_ended_partner(partner, monkeypatch):
    inbox = FakePartner(monkeypatch)
    queue(partner, 2)
    for status in (Partner.Status.PAUSED, Partner.Status.ENDED):
        Partner.objects.filter(pk=partner.pk).update(status=status)
        assert delivery.deliver_all() == {"sent": 0, "refused": 0, "failed": 0}
    assert inbox.taken == []
    assert Outgoing.objects.filter(state=Outgoing.State.WAITING).count() == 2


def test_send_now_makes_what_waits_due(partner, monkeypatch):
    inbox = FakePartner(monkeypatch)
    queue(partner, 2)
    Outgoing.objects.update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert delivery.deliver_all()["sent"] == 0
    assert delivery.send_now(partner.pk)["sent"] == 2
    assert inbox.taken == [1, 2]

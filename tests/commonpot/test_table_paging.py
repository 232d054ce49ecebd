"""Every table pages through commonpot.tables.paginate: `?per_page=` cannot make
a page of every row, and a page past the end shows the last page."""

import pytest
from django.urls import reverse

from commonpot.models import Membership, Message
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def rows(html: str) -> int:
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


def test_the_outbox_shows_fifty_messages_whatever_per_page_says(site, lead):
    Message.objects.bulk_create(
        [
            Message(key=f"m-{n}", kind="reminder", site=site, subject=f"Hello {n}", body_text=".")
            for n in range(60)
        ]
    )
    url = reverse("site_outbox", args=[site.slug])
    client = client_for(lead)
    assert rows(client.get(url, {"per_page": "100000"}).content.decode()) == 50
    assert rows(client.get(url, {"page": "999999"}).content.decode()) == 10


def test_the_people_list_shows_fifty_people_whatever_per_page_says(site, lead):
    for n in range(55):
        MembershipFactory(
            user=UserFactory(username=f"person-{n}"), site=site, role=Membership.Role.VOLUNTEER
        )
    url = reverse("volunteers:people", args=[site.slug])
    client = client_for(lead)
    assert rows(client.get(url, {"per_page": "100000"}).content.decode()) == 50
    # 55 volunteers and the lead, if the lead is listed; past the end is the last page.
    assert 1 <= rows(client.get(url, {"page": "999999"}).content.decode()) <= 6

"""A site with many people (an event of 2,000 volunteers) asks for a person in a box
with suggestions, not a <select> of everyone: the roster's "Add someone by hand"
and a rota's regulars. A site of a few keeps its list."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.volunteers.factories import RotaFactory
from volunteers import forms
from volunteers.models import RotaRegular, SignUp, weekday_bits

pytestmark = pytest.mark.django_db


def _box(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]


def _listed(html: str, name: str) -> bool:
    return re.search(rf'<select[^>]*name="{name}"', html) is not None


@pytest.fixture
def crowd(make_volunteer, monkeypatch):
    """More people at the site than a list offers (made small for the test)."""
    monkeypatch.setattr(forms, "PEOPLE_LISTED", 3)
    return [
        make_volunteer(name)
        for name in ("Amira Haddad", "Ben Carter", "Chloe Dubois", "Amira Haddad", "Dev Patel")
    ]


def test_a_site_of_many_people_adds_someone_to_a_shift_from_a_box(
    lead, site, shift, volunteer, crowd
):
    client = client_for(lead)
    roster = reverse("volunteers:roster", args=[site.slug, shift.pk])
    html = client.get(roster).content.decode()
    assert not _listed(html, "volunteer")
    box = _box(html, "volunteer")
    suggest = reverse("volunteers:people_suggested", args=[site.slug])
    assert f'hx-get="{suggest}"' in box and 'hx-params="volunteer"' in box
    assert "Chloe Dubois" not in html  # nobody listed who was not asked for

    # Names and numbers only: two Amiras are told apart, and no contact details.
    options = client.get(suggest, {"volunteer": "amira"}).content.decode()
    first, second = crowd[0], crowd[3]
    assert re.findall(r'value="([^"]+)"', options) == [
        f"Amira Haddad #{first.pk}",
        f"Amira Haddad #{second.pk}",
    ]
    assert first.email not in options and first.phone not in options

    add = reverse("volunteers:roster_add", args=[site.slug, shift.pk])
    data = {"guests": "0", "reason": "Phoned in"}
    twice = client.post(add, data | {"volunteer": "Amira Haddad"})
    assert twice.status_code == 400
    assert "More than one person here is called “Amira Haddad”" in twice.content.decode()
    nobody = client.post(add, data | {"volunteer": "Zed Zimmer"})
    assert nobody.status_code == 400
    assert "Nobody here is called “Zed Zimmer”: pick them from the list." in (
        nobody.content.decode()
    )
    assert not SignUp.objects.exists()

    assert client.post(add, data | {"volunteer": f"Amira Haddad #{second.pk}"}).status_code == 302
    assert client.post(add, data | {"volunteer": "ben carter"}).status_code == 302
    added = set(SignUp.objects.values_list("volunteer", flat=True))
    assert added == {second.pk, crowd[1].pk}


def test_someone_of_another_site_is_neither_suggested_nor_taken(
    lead, site, shift, crowd, other_lead, outsider
):
    client = client_for(lead)
    suggest = reverse("volunteers:people_suggested", args=[site.slug])
    assert other_lead.display_name not in client.get(suggest, {"volunteer": ""}).content.decode()
    add = reverse("volunteers:roster_add", args=[site.slug, shift.pk])
    for person in (other_lead, outsider):
        typed = f"{person.display_name} #{person.pk}"
        response = client.post(add, {"volunteer": typed, "guests": "0", "reason": "Phoned in"})
        assert response.status_code == 400
    assert not SignUp.objects.exists()


def test_a_rota_of_a_site_of_many_people_takes_a_regular_from_a_box(lead, site, cook, crowd):
    rota = RotaFactory(site=site, role=cook, weekdays=weekday_bits([0, 2, 4]), weeks_ahead=2)
    client = client_for(lead)
    html = client.get(reverse("volunteers:rota", args=[site.slug, rota.pk])).content.decode()
    assert not _listed(html, "regular-volunteer")
    assert "hx-get" in _box(html, "regular-volunteer")
    url = reverse("volunteers:rota_regular_add", args=[site.slug, rota.pk])
    response = client.post(url, {"regular-volunteer": "Dev Patel"})
    assert response.status_code == 302
    assert RotaRegular.objects.get().volunteer == crowd[4]


def test_a_site_of_a_few_people_keeps_its_list(lead, site, shift, volunteer):
    html = client_for(lead).get(reverse("volunteers:roster", args=[site.slug, shift.pk]))
    html = html.content.decode()
    assert _listed(html, "volunteer") and f'value="{volunteer.pk}"' in html


def test_the_box_finds_people_by_name_only_never_by_their_username(
    lead, site, shift, crowd, make_volunteer
):
    """A username is often an email address, which a lead sees only once the person
    signs up for one of the site's shifts: typing it finds nobody."""
    quiet = make_volunteer(
        username="secret.person@example.org", display_name="", first_name="Quiet", last_name="One"
    )
    client = client_for(lead)
    suggest = reverse("volunteers:people_suggested", args=[site.slug])
    assert client.get(suggest, {"volunteer": "secret"}).content.decode().strip() == ""
    assert f"Quiet One #{quiet.pk}" in client.get(suggest, {"volunteer": "quiet"}).content.decode()
    add = reverse("volunteers:roster_add", args=[site.slug, shift.pk])
    data = {"guests": "0", "reason": "Phoned in"}
    by_username = client.post(add, data | {"volunteer": quiet.username})
    assert by_username.status_code == 400
    assert "secret.person" not in by_username.content.decode().split("<form", 1)[0]
    # Only spaces is no one, not the person with no display name.
    blank = client.post(add, data | {"volunteer": "   "})
    assert blank.status_code == 400 and "This field is required." in blank.content.decode()
    assert not SignUp.objects.exists()
    # The whole name of someone known by first and last name is taken.
    assert client.post(add, data | {"volunteer": "quiet one"}).status_code == 302
    assert SignUp.objects.get().volunteer == quiet

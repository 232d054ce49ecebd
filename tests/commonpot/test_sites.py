import pytest
from django.urls import reverse

from commonpot.models import Membership, Site
from pantry.models import BEST_BEFORE_DEFAULTS
from tests.conftest import client_for

NEW_SITE = {
    "name": "Northside Pantry",
    "slug": "northside",
    "kind": "pantry",
    "time_zone": "Europe/London",
    "is_public": "on",
    "has_dry_storage": "on",
    "paper_size": "A4",
    "label_sheet": "",
    "measures": "metric",
    **{f"bb_{key}": str(days) for key, days in BEST_BEFORE_DEFAULTS.items()},
    "reminder_hours": "24",
}


@pytest.mark.django_db
def test_a_coordinator_adds_a_site(coordinator):
    response = client_for(coordinator).post(reverse("site_create"), NEW_SITE)
    assert response.status_code == 302
    assert Site.objects.get(slug="northside").kind == "pantry"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "not one of the available choices"),
        ({"latitude": "51.5"}, "both latitude and longitude"),
        ({"latitude": "123", "longitude": "0"}, "less than or equal to 90"),
        ({"slug": "has spaces"}, "valid"),
        ({"contact_phone": "call me"}, "does not look like a phone number"),
    ],
)
def test_a_bad_site_is_refused_with_a_reason_and_nothing_is_written(coordinator, change, message):
    response = client_for(coordinator).post(reverse("site_create"), {**NEW_SITE, **change})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Site.objects.filter(name="Northside Pantry").exists()


@pytest.mark.django_db
def test_a_lead_edits_their_own_sites_hours(lead, site):
    data = {**NEW_SITE, "name": site.name, "opening_hours": "Mon 10:00-12:00"}
    data.pop("slug")
    response = client_for(lead).post(reverse("site_edit", args=[site.slug]), data)
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.opening_hours == "Mon 10:00-12:00"


@pytest.mark.django_db
def test_a_lead_cannot_edit_another_sites_details(lead, other_site):
    data = {**NEW_SITE, "name": "Taken over"}
    response = client_for(lead).post(reverse("site_edit", args=[other_site.slug]), data)
    assert response.status_code == 403
    other_site.refresh_from_db()
    assert other_site.name == "Eastside Food Bank"


@pytest.mark.django_db
def test_only_a_coordinator_makes_someone_a_lead(coordinator, lead, site, outsider):
    url = reverse("site_people", args=[site.slug])
    response = client_for(lead).post(url, {"email": outsider.email, "role": "lead"})
    assert "Only network coordinators can make someone a lead" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()

    response = client_for(coordinator).post(url, {"email": outsider.email, "role": "lead"})
    assert response.status_code == 302
    assert Membership.objects.get(user=outsider, site=site).role == "lead"


@pytest.mark.django_db
def test_a_lead_adds_a_volunteer_but_does_not_see_their_contact_details_here(
    lead, coordinator, site, outsider
):
    """Joining a site is one tap and anyone with an account can be added, so
    membership alone must not reveal a phone: only signing up for a shift does."""
    url = reverse("site_people", args=[site.slug])
    client_for(lead).post(url, {"email": outsider.email, "role": "volunteer"})
    page = client_for(lead).get(url).content.decode()
    assert outsider.name in page
    assert outsider.email not in page and outsider.phone not in page
    page = client_for(coordinator).get(url).content.decode()
    assert outsider.email in page and outsider.phone in page


@pytest.mark.django_db
def test_adding_someone_without_an_account_says_so(lead, site):
    url = reverse("site_people", args=[site.slug])
    response = client_for(lead).post(url, {"email": "nobody@example.org", "role": "volunteer"})
    assert "Ask them to sign up first" in response.content.decode()
    assert Membership.objects.filter(site=site).count() == 1


@pytest.mark.django_db
def test_a_lead_cannot_remove_another_lead(lead, site, coordinator):
    second = Membership.objects.create(
        user=coordinator.__class__.objects.create(username="l2", email="l2@example.org"),
        site=site,
        role="lead",
    )
    url = reverse("site_people_remove", args=[site.slug, second.user_id])
    response = client_for(lead).post(url, follow=True)
    assert "Only network coordinators can remove a lead" in response.content.decode()
    assert Membership.objects.filter(pk=second.pk).exists()


@pytest.mark.django_db
def test_public_directory_lists_public_sites_only_with_no_personal_data(
    client, site, private_site, volunteer, lead
):
    page = client.get(reverse("site_directory")).content.decode()
    assert site.name in page
    assert private_site.name not in page
    for person in (volunteer, lead):
        assert person.name not in page and person.email not in page and person.phone not in page


@pytest.mark.django_db
def test_the_directory_of_a_large_network_comes_thirty_sites_to_a_page(
    client, django_assert_max_num_queries
):
    Site.objects.bulk_create(
        [
            Site(name=f"Kitchen {n:03d}", slug=f"kitchen-{n}", kind="community_kitchen")
            for n in range(70)
        ]
        + [Site(name=f"Pantry {n:03d}", slug=f"pantry-{n}", kind="pantry") for n in range(5)]
    )
    url = reverse("site_directory")
    with django_assert_max_num_queries(3):
        first = client.get(url).content.decode()
    assert "Kitchen 029" in first and "Kitchen 030" not in first
    assert "Page 1 of 3 (75 sites)" in first
    last = client.get(url, {"page": "999999"}).content.decode()
    assert "Pantry 004" in last and "Kitchen 059" not in last
    # The kind chosen stays chosen from page to page.
    kitchens = client.get(url, {"kind": "community_kitchen", "page": "3"}).content.decode()
    assert "Kitchen 069" in kitchens and "Pantry 00" not in kitchens
    assert "kind=community_kitchen&amp;page=2" in kitchens


@pytest.mark.django_db
def test_a_camp_listed_without_its_location_shows_no_address(client, site):
    site.address = "Behind the old pier"
    site.show_exact_location = False
    site.save()
    page = client.get(reverse("site_detail", args=[site.slug])).content.decode()
    assert "Behind the old pier" not in page
    assert site.city in page


@pytest.mark.django_db
def test_each_role_lands_on_its_own_home_page(coordinator, lead, volunteer, site):
    assert "The network" in client_for(coordinator).get("/").content.decode()
    lead_page = client_for(lead).get("/").content.decode()
    assert site.name in lead_page and "Hello, Lena Lead" in lead_page
    assert "Where you volunteer" in client_for(volunteer).get("/").content.decode()


@pytest.mark.django_db
def test_a_sites_local_time_shows_on_the_sites_clock_in_any_template(other_site):
    from datetime import UTC, datetime

    from django.template import Context, Template

    moment = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)
    local = other_site.local(moment)  # New York
    html = Template('{{ t|date:"D j M" }} {{ t|time:"H:i" }}').render(Context({"t": local}))
    assert html == "Fri 27 Nov 16:30"
    assert local == moment and local.tzinfo.key == "America/New_York"


@pytest.mark.django_db
def test_site_pages_render_times_on_the_sites_clock(rf, other_site, other_lead):
    from datetime import UTC, datetime

    from django.http import HttpResponse
    from django.utils import timezone

    from commonpot.middleware import SiteTimezoneMiddleware
    from commonpot.permissions import lead_required

    seen = {}

    @lead_required
    def view(request, site):
        seen["now"] = timezone.localtime(datetime(2026, 11, 27, 21, 30, tzinfo=UTC))
        return HttpResponse()

    request = rf.get("/")
    request.user = other_lead
    SiteTimezoneMiddleware(lambda r: view(r, slug=other_site.slug))(request)
    assert seen["now"].strftime("%H:%M") == "16:30"  # New York
    assert timezone.get_current_timezone_name() == "UTC"  # not leaked past the request

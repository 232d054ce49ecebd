"""Open data: HSDS 3.0 and Murmurations outputs validate against the published schemas."""

import io
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import jsonschema
import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from commonpot import opendata
from commonpot.admin import submit_to_murmurations
from commonpot.models import Site
from tests.conftest import client_for
from tests.jsonschemas import DATA, assert_valid, format_checker, murmurations_validator

HSDS = DATA / "hsds-3.0" / "schema"


def hsds_validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((HSDS / name).read_text())
    return jsonschema.Draft202012Validator(
        schema, format_checker=format_checker(jsonschema.Draft202012Validator)
    )


@pytest.fixture(scope="module")
def demo_network(django_db_setup, django_db_blocker):
    """The demo network, seeded once for this module in a transaction rolled back at
    its end; each test runs inside it and has its own changes rolled back."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def network(demo_network, db):
    return {site.slug: site for site in Site.objects.all()}


def test_hsds_root_says_which_version(client, db):
    body = client.get("/api/hsds/").json()
    assert body["version"] == "3.0"


def test_every_hsds_service_page_item_validates_against_service_list(client, network):
    body = client.get("/api/hsds/services?per_page=2").json()
    assert body["total_items"] == Site.objects.public().count()
    assert body["total_pages"] == 2 and body["first_page"] and not body["last_page"]
    validator = hsds_validator("service_list.json")
    for item in body["contents"]:
        assert_valid(validator, item)


def test_each_hsds_service_validates_with_organization_location_and_schedules(client, network):
    validator = hsds_validator("service.json")
    ids = [s["id"] for s in client.get("/api/hsds/services").json()["contents"]]
    assert ids
    for service_id in ids:
        service = client.get(f"/api/hsds/services/{service_id}").json()
        assert_valid(validator, service)
        assert service["organization"]["name"]
        assert service["service_at_locations"][0]["location"]["location_type"] == "physical"
    riverside = network["riverside-kitchen"]
    service = client.get(f"/api/hsds/services/{opendata.public_id(riverside, 'service')}").json()
    lunch = service["schedules"][0]
    assert (lunch["byday"], lunch["opens_at"][:5], lunch["description"]) == (
        "MO,TU,WE,TH,FR,SA",
        "11:30",
        "Lunch",
    )


def test_a_service_is_found_by_its_id_in_one_query_among_many_sites(
    client, db, django_assert_num_queries
):
    from commonpot.models import Site

    Site.objects.bulk_create(
        [
            Site(name=f"Kitchen {n}", slug=f"kitchen-{n}", kind="community_kitchen")
            for n in range(300)
        ]
    )
    wanted = Site.objects.get(slug="kitchen-150")
    with django_assert_num_queries(1):
        assert opendata.site_for_service_id(str(wanted.service_id)) == wanted
    service = client.get(f"/api/hsds/services/{wanted.service_id}").json()
    assert service["name"] == "Community meals at Kitchen 150"
    assert client.get(f"/api/hsds/services/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/hsds/services/not-a-uuid").status_code == 404


def test_a_camp_that_hides_its_place_has_no_address_or_coordinates_in_hsds(client, network):
    camp = network["harbour-camp"]
    service = client.get(f"/api/hsds/services/{opendata.public_id(camp, 'service')}").json()
    location = service["service_at_locations"][0]["location"]
    assert location["addresses"] == []
    assert "latitude" not in location and "longitude" not in location


def test_private_sites_are_not_in_open_data(client, network):
    private = network["maple-street-pantry"]
    private.is_public = False
    private.save()
    body = client.get("/api/hsds/services?per_page=100").json()
    assert private.name not in json.dumps(body)
    response = client.get(f"/api/hsds/services/{opendata.public_id(private, 'service')}")
    assert response.status_code == 404
    assert client.get(reverse("murmurations_profile", args=[private.slug])).status_code == 404


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("page=0", "'page' must be a whole number of 1 or more"),
        ("page=abc", "'page' must be a whole number"),
        ("per_page=1000", "'per_page' may be at most 100"),
        ("page=99", "page 99 is past the end"),
    ],
)
def test_bad_hsds_paging_is_a_400_with_a_reason(client, network, query, reason):
    response = client.get(f"/api/hsds/services?{query}")
    assert response.status_code == 400
    assert reason in response.json()["error"]


def test_an_unknown_hsds_service_is_a_404(client, network):
    assert client.get("/api/hsds/services/not-a-uuid").status_code == 404
    assert client.get("/api/hsds/services/ac148810-d857-441c-9679-408f346de14b").status_code == 404


def test_murmurations_profiles_validate_and_keep_camps_unlocated(client, network):
    validator = murmurations_validator()
    for site in Site.objects.public():
        profile = client.get(reverse("murmurations_profile", args=[site.slug])).json()
        assert_valid(validator, profile)
    camp = client.get(reverse("murmurations_profile", args=["harbour-camp"])).json()
    assert "geolocation" not in camp and "full_address" not in camp
    kitchen = client.get(reverse("murmurations_profile", args=["riverside-kitchen"])).json()
    assert kitchen["geolocation"] == {"lat": 51.45, "lon": -2.6}  # coarse, about a kilometre


class _IndexHandler(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 — the name http.server calls
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"data": {"node_id": "abc", "status": "received"}}')

    def log_message(self, *args):
        pass


def test_the_admin_action_submits_the_profile_url_to_the_index(network, settings, rf):
    server = HTTPServer(("127.0.0.1", 0), _IndexHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _IndexHandler.received = []
    settings.MURMURATIONS_INDEX_URL = f"http://127.0.0.1:{server.server_port}/v2"
    try:
        site = network["riverside-kitchen"]
        request = rf.post("/admin/commonpot/site/")
        sent = []
        modeladmin = admin_site._registry[Site]
        modeladmin.message_user = lambda request, text, level: sent.append(text)
        submit_to_murmurations(modeladmin, request, Site.objects.filter(pk=site.pk))
    finally:
        server.shutdown()
    assert _IndexHandler.received == [{"profile_url": opendata.murmurations_profile_url(site)}]
    assert "received" in sent[0]


def test_an_unreachable_index_is_reported_not_raised(network, settings):
    settings.MURMURATIONS_INDEX_URL = "http://127.0.0.1:9/v2"
    accepted, detail = opendata.submit_to_murmurations_index(
        network["riverside-kitchen"], timeout=2
    )
    assert not accepted
    assert "could not be reached" in detail


def test_the_map_lists_every_public_site_and_maps_only_publishable_places(client, network):
    page = client.get(reverse("site_map")).content.decode()
    for site in Site.objects.public():
        assert site.name in page
    features = client.get(reverse("sites_geojson")).json()["features"]
    names = {f["properties"]["name"] for f in features}
    assert "Harbour Camp Kitchen" not in names
    assert "Riverside Community Kitchen" in names


def test_a_lead_cannot_save_hours_that_do_not_parse(network):
    lead = network["riverside-kitchen"].memberships.get(role="lead").user
    site = network["riverside-kitchen"]
    data = {
        "name": site.name,
        "kind": site.kind,
        "time_zone": site.time_zone,
        "paper_size": "A4",
        "reminder_hours": 24,
        "opening_hours": "Mon-Fri 10:00-16:00\nsometimes in the evening",
    }
    response = client_for(lead).post(reverse("site_edit", args=[site.slug]), data)
    assert "Line 2 ('sometimes in the evening') is not in the form" in (
        response.content.decode().replace("&#x27;", "'")
    )
    site.refresh_from_db()
    assert site.opening_hours == "Mon-Sat 11:30-14:30 Lunch"


def test_a_sites_hours_and_meal_times_are_a_calendar_in_its_time_zone(client, network):
    from icalendar import Calendar

    response = client.get(reverse("site_hours_ics", args=["harbour-camp"]))
    assert response["Content-Type"] == "text/calendar"
    cal = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    breakfast = events["Breakfast at Harbour Camp Kitchen"]
    assert breakfast["dtstart"].dt.tzinfo.key == "Europe/London"
    assert breakfast["dtstart"].dt.strftime("%H:%M") == "08:00"
    assert breakfast["rrule"]["FREQ"] == ["WEEKLY"] and len(breakfast["rrule"]["BYDAY"]) == 7
    assert str(breakfast["location"]) == "Harbour Camp Kitchen, Bristol"  # no exact place
    assert [c.name for c in cal.walk("VTIMEZONE")] == ["VTIMEZONE"]
    assert client.get(reverse("site_hours_ics", args=["no-such-site"])).status_code == 404


def test_a_map_answer_is_bounded_and_asks_by_the_area_in_view(client, network, monkeypatch):
    from commonpot import maps

    url = reverse("sites_geojson")
    everything = client.get(url).json()
    assert everything["truncated"] is False and len(everything["features"]) >= 2
    monkeypatch.setattr(maps, "MAP_SITES_MAX", 1)
    one = client.get(url).json()
    assert one["truncated"] is True and len(one["features"]) == 1

    # The area in view: a box around one site has that site only.
    site = Site.objects.get(name="Riverside Community Kitchen")
    lon, lat = float(site.longitude), float(site.latitude)
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    boxed = client.get(url, {"bbox": box}).json()
    assert [f["properties"]["name"] for f in boxed["features"]] == [site.name]
    assert boxed["truncated"] is False and boxed["bbox"] == [float(x) for x in box.split(",")]


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "0,10,1,5", "-200,0,10,10", "0,-95,10,10", "nan,0,1,1"]
)
def test_a_bad_map_box_is_refused_with_the_reason(client, network, bbox):
    response = client.get(reverse("sites_geojson"), {"bbox": bbox})
    assert response.status_code == 400
    assert "bbox is west,south,east,north" in response.json()["error"]

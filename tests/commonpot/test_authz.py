import pytest

from tests.authz import Row, check_matrix, everyone, lead_only, logged_in, public

ROWS = [
    Row("GET", "home", expect=public()),
    Row("GET", "healthz", expect=public()),
    # The app's manifest, service worker and the page shown offline: public, no data.
    Row("GET", "manifest", expect=public()),
    Row("GET", "service_worker", expect=public()),
    Row("GET", "offline", expect=public()),
    # Anyone may choose a language (kept on the profile when logged in); the
    # scripts' strings are public.
    Row("POST", "set_language", data={"language": "es", "next": "/"}, expect=everyone(303)),
    Row("GET", "set_language", expect=everyone(405)),
    Row("GET", "javascript_catalog", {"language": "es"}, expect=public()),
    Row("GET", "site_directory", expect=public()),
    Row("GET", "site_map", expect=public()),
    Row("GET", "sites_geojson", expect=public()),
    Row("GET", "hsds_root", expect=public()),
    Row("GET", "hsds_services", expect=public()),
    Row("GET", "hsds_service", {"service_id": "site-service"}, expect=public()),
    Row("GET", "murmurations_profile", {"slug": "site"}, expect=public()),
    Row("GET", "site_hours_ics", {"slug": "site"}, expect=public()),
    Row("GET", "murmurations_profile", {"slug": "private"}, expect=everyone(404)),
    Row("GET", "site_detail", {"slug": "site"}, expect=public()),
    Row(
        "GET",
        "site_detail",
        {"slug": "private"},
        expect={
            "coordinator": 200,
            "lead": 404,
            "other_lead": 404,
            "volunteer": 404,
            "outsider": 404,
            "anonymous": 404,
        },
    ),
    Row("GET", "signup", expect=logged_in(302, anonymous=200)),
    Row("GET", "login", expect=logged_in(302, anonymous=200)),
    Row("GET", "password_reset", expect=public()),
    Row("GET", "profile", expect=logged_in()),
    Row("GET", "delete_account", expect=logged_in()),
    Row("GET", "password_change", expect=logged_in()),
    Row(
        "GET",
        "site_create",
        expect={
            "coordinator": 200,
            "lead": 403,
            "other_lead": 403,
            "volunteer": 403,
            "outsider": 403,
            "anonymous": 302,
        },
    ),
    Row("GET", "site_manage", {"slug": "site"}, expect=lead_only()),
    Row("GET", "site_edit", {"slug": "site"}, expect=lead_only()),
    # Posting the settings gets past the permission check only for those who may
    # change them (an empty post shows the form again).
    Row("POST", "site_edit", {"slug": "site"}, expect=lead_only()),
    Row("GET", "site_people", {"slug": "site"}, expect=lead_only()),
    Row("GET", "site_outbox", {"slug": "site"}, expect=lead_only()),
    # POST-only actions: a GET shows who gets past the permission check (405)
    # without changing anything.
    Row("GET", "site_join", {"slug": "site"}, expect=logged_in(405)),
    Row("GET", "site_leave", {"slug": "site"}, expect=logged_in(405)),
    Row(
        "GET",
        "site_people_remove",
        {"slug": "site", "user_id": "volunteer"},
        expect=lead_only(coordinator=405, lead=405),
    ),
    # Invitations: an empty post shows the form again to those who may invite.
    Row("POST", "site_invite", {"slug": "site"}, expect=lead_only(coordinator=400, lead=400)),
    Row(
        "POST",
        "site_invite",
        {"slug": "other"},
        expect=lead_only(coordinator=400, lead=403, other_lead=400),
    ),
    Row(
        "POST",
        "invitation_withdraw",
        {"slug": "site", "invitation_id": "invitation"},
        expect=lead_only(coordinator=302, lead=302),
    ),
    # The link is for a new person's address: anyone else logged in is told so.
    Row("GET", "invitation", {"token": "token"}, expect=everyone(403, anonymous=200)),
    Row("GET", "invitation", {"token": "not-a-token"}, expect=everyone(404)),
    Row("GET", "site_report", {"slug": "site"}, expect=lead_only()),
    Row(
        "GET",
        "network_report",
        expect={
            "coordinator": 200,
            "lead": 403,
            "other_lead": 403,
            "volunteer": 403,
            "outsider": 403,
            "anonymous": 302,
        },
    ),
    # A private site's management pages are not revealed to those outside it.
    Row(
        "GET",
        "site_manage",
        {"slug": "private"},
        expect=lead_only(lead=404, other_lead=404, volunteer=404, outsider=404),
    ),
    Row("GET", "admin:index", expect=logged_in(302, coordinator=302, anonymous=302)),
    # The SMS gateways' webhooks: no login, a gateway's signature instead; with the
    # default console backend they are not in use, whoever asks.
    Row("GET", "sms_twilio_inbound", expect=everyone(405)),
    Row("POST", "sms_twilio_inbound", expect=everyone(404)),
    Row("POST", "sms_twilio_status", expect=everyone(404)),
    Row("GET", "sms_smsgate_webhook", expect=everyone(405)),
    Row("POST", "sms_smsgate_webhook", expect=everyone(404)),
    # Notifications: a browser's subscription is the logged-in person's own; an
    # empty post is refused with a reason.
    Row("POST", "push_subscribe", expect=logged_in(400)),
    Row("GET", "push_subscribe", expect=logged_in(405)),
    Row("POST", "push_unsubscribe", {"subscription_id": 999999}, expect=logged_in(302)),
]


@pytest.fixture
def core_names(actors, site, other_site, private_site):
    """What the rows' kwargs name, as the addresses take them."""
    from commonpot.invitations import invite_to_site
    from commonpot.opendata import public_id

    lead = actors["lead"]
    link = invite_to_site(by=lead, site=site, email="new.person@example.org", role="volunteer")
    withdrawn = invite_to_site(by=lead, site=site, email="sam@example.org", role="volunteer")
    return {
        "site": site.slug,
        "other": other_site.slug,
        "token": link.token,
        "invitation": withdrawn.pk,
        "private": private_site.slug,
        "volunteer": actors["volunteer"].pk,
        "site-service": public_id(site, "service"),
    }


@pytest.mark.slow
def test_every_core_url_answers_each_actor_as_expected(actors, core_names):
    def resolve(kwargs):
        return {k: core_names.get(v, v) for k, v in kwargs.items()}

    check_matrix(ROWS, actors, resolve)


def test_demo_coordinator_is_staff_and_reaches_admin(client, coordinator):
    coordinator.is_staff = True
    coordinator.is_superuser = True
    coordinator.save()
    client.force_login(coordinator, backend="commonpot.auth.UsernameOrEmailBackend")
    assert client.get("/admin/").status_code == 200

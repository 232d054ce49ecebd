"""What makes Commonpot installable on a phone: its manifest, icons and service worker."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD


def test_the_service_worker_is_served_from_the_root_and_never_kept():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    source = response.content.decode()
    assert 'importScripts("/static/js/sw-push.js")' in source
    assert "__" not in source.split("*/", 1)[1], "a name was left unfilled"


def test_the_manifest_names_icons_that_exist():
    response = Client().get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    purposes = set()
    for icon in manifest["icons"]:
        path = Path(settings.BASE_DIR) / "static" / icon["src"].removeprefix("/static/")
        assert path.read_bytes().startswith(b"\x89PNG"), icon["src"]
        purposes.add(icon["purpose"])
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}


def test_every_page_links_the_manifest_and_the_offline_script(db):
    html = Client().get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert 'data-service-worker="/sw.js"' in html


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_offline_page_fetched_during_a_login_does_not_undo_the_login_token(volunteer):
    """The service worker fetches the offline page in the background when the login
    page starts it. If that answer comes back after the login, it must not put back
    the CSRF cookie the login replaced, or the person's next form is refused (403)."""
    phone = Client(enforce_csrf_checks=True)
    login_page = phone.get("/accounts/login/").content.decode()
    before_login = phone.cookies[settings.CSRF_COOKIE_NAME].value
    worker = Client()  # the worker's request, sent with the cookies of that moment
    worker.cookies[settings.CSRF_COOKIE_NAME] = before_login

    response = phone.post(
        "/accounts/login/",
        {"username": "vera", "password": PASSWORD, "csrfmiddlewaretoken": _token(login_page)},
    )
    assert response.status_code == 302
    page = phone.get("/").content.decode()  # a page with a form, after the login

    late = worker.get("/offline/")  # the worker's answer arrives now
    assert late.status_code == 200
    # The browser keeps whatever cookie an answer sets, whichever request it answers.
    phone.cookies.update(late.cookies)
    # Any other page would send its cookie back: this is what the offline page must not do.
    assert settings.CSRF_COOKIE_NAME in worker.get("/").cookies

    sent = phone.post("/language/", {"language": "es", "csrfmiddlewaretoken": _token(page)})
    assert sent.status_code == 303

"""What makes Commonpot installable on a phone: its manifest, icons and service worker."""

import json
from pathlib import Path

from django.conf import settings
from django.test import Client


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

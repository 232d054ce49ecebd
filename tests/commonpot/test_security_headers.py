"""Every page carries a Content-Security-Policy that allows nothing inline, and a
request refused before anyone is logged in still gets its error page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_pages_allow_only_their_own_scripts_and_styles(client, lead, site):
    for response in (
        client.get("/"),
        client.get(reverse("site_directory")),
        client_for(lead).get(reverse("pantry:stock", args=[site.slug])),
        client_for(lead).get(reverse("volunteers:board")),
    ):
        policy = directives(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_only_a_page_with_a_map_may_load_images_from_the_tiles_server(client, settings):
    settings.MAP_TILES_URL = "https://tiles.example.org:8443/{z}/{x}/{y}.png"
    policy = directives(client.get(reverse("site_map")))
    assert policy["img-src"] == ["'self'", "data:", "https://tiles.example.org:8443"]
    assert policy["connect-src"] == ["'self'"]
    assert directives(client.get("/"))["img-src"] == ["'self'", "data:"]


def test_no_page_has_an_inline_script_or_style(client, lead, site):
    for response in (
        client.get("/"),
        client_for(lead).get("/"),
        client_for(lead).get(reverse("pantry:stock", args=[site.slug])),
        client_for(lead).get(reverse("kitchen:week", args=[site.slug])),
        client_for(lead).get(reverse("volunteers:board")),
        client_for(lead).get(reverse("site_edit", args=[site.slug])),
    ):
        body = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), response.request["PATH_INFO"]
        assert "<style" not in body and ' style="' not in body, response.request["PATH_INFO"]


def test_a_request_for_an_unknown_host_is_a_400_not_a_crash():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400

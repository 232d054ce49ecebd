"""Which language a page is in: the profile's, the footer's choice, the browser's."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from commonpot.i18n import language_for, site_language, supported
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_a_visitor_reads_the_site_in_their_browsers_language_when_commonpot_speaks_it(client):
    assert 'lang="es"' in html_tag(client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"))
    assert 'lang="pt-br"' in html_tag(client.get("/", HTTP_ACCEPT_LANGUAGE="pt-BR"))
    # Not one Commonpot speaks: English.
    assert 'lang="en"' in html_tag(client.get("/", HTTP_ACCEPT_LANGUAGE="ja,de;q=0.8"))


def test_arabic_pages_read_right_to_left(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert 'lang="ar"' in html_tag(response)
    assert 'dir="rtl"' in html_tag(response)
    assert 'dir="ltr"' in html_tag(client.get("/", HTTP_ACCEPT_LANGUAGE="uk"))


def test_the_footer_switcher_keeps_the_choice_and_goes_back_to_the_page(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/sites/"})
    assert response.status_code == 303
    assert response["Location"] == "/sites/"
    # The browser says Spanish, but the visitor chose French.
    assert 'lang="fr"' in html_tag(client.get("/sites/", HTTP_ACCEPT_LANGUAGE="es"))


def test_the_switcher_never_sends_a_person_to_another_site(client):
    response = client.post(
        reverse("set_language"), {"language": "uk", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("language", ["", "xx", "de", "en-us-x-evil" * 20])
def test_a_language_commonpot_does_not_speak_is_refused_with_a_reason(client, language):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": language})
    assert response.status_code == 400
    assert "does not speak that language" in response.content.decode()
    assert "commonpot_language" not in response.cookies
    user.refresh_from_db()
    assert user.language == ""


def test_a_person_logged_in_keeps_their_language_on_their_profile_across_phones(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    user.refresh_from_db()
    assert user.language == "ar"
    assert language_for(user) == "ar"
    # Another phone, another browser language, no cookie: still theirs.
    other = Client()
    other.force_login(user)
    assert 'lang="ar"' in html_tag(other.get("/", HTTP_ACCEPT_LANGUAGE="en"))


def test_the_switcher_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("set_language"), {"language": "es"}).status_code == 403


def test_every_page_offers_the_switcher_with_each_language_named_in_itself(client):
    page = client.get("/").content.decode()
    assert f'action="{reverse("set_language")}"' in page
    for name in ("Español", "Português (Brasil)", "Français", "العربية", "Українська"):
        assert name in page


def test_a_kept_page_is_never_served_in_another_language(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/")  # the CSRF cookie, so the page can be kept
    assert 'lang="en"' in html_tag(client.get("/"))
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert 'lang="es"' in html_tag(client.get("/"))


def test_the_scripts_strings_come_per_language(client):
    response = client.get(reverse("javascript_catalog", args=["es"]))
    assert response.status_code == 200
    assert "gettext" in response.content.decode()
    assert client.get("/jsi18n/xx.js").status_code == 404


def test_languages_are_read_as_commonpot_spells_them():
    assert supported("pt-BR") == "pt-br"
    assert supported("es-AR") == "es"
    assert supported("zz") is None
    assert supported("") is None
    assert language_for(None) == "en"
    assert site_language(SiteFactory(language="uk")) == "uk"


@pytest.mark.parametrize(
    ("language", "short", "long", "other_year"),
    [
        ("en", "Wed 2 Dec", "Wednesday 2 December", "Tue 5 Jan 2027"),
        ("es", "mié 2 dic", "miércoles 2 de diciembre", "mar 5 ene 2027"),
        ("pt-br", "Qua, 2 dez", "Quarta-feira, 2 de Dezembro", "Ter, 5 jan 2027"),
        ("fr", "mer 2 déc", "mercredi 2 décembre", "mar 5 jan 2027"),
        ("uk", "Ср, 2 грудня", "Середа, 2 грудня", "Вт, 5 січня 2027"),
        ("ar", "أربعاء 2 ديسمبر", "الأربعاء 2 ديسمبر", "ثلاثاء 5 يناير 2027"),
    ],
)
def test_dates_are_written_as_each_language_writes_them(language, short, long, other_year):
    import time_machine
    from django.utils import translation

    from commonpot import dates

    with time_machine.travel("2026-12-01 12:00Z", tick=False), translation.override(language):
        assert dates.day(date(2026, 12, 2)) == short
        assert dates.long_day(date(2026, 12, 2)) == long
        assert dates.day(date(2027, 1, 5)) == other_year


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("en", "1,234.5", "1234.5"),
        ("en", "2.5", "2.5"),
        ("es", "2,5", "2.5"),
        ("es", "1.234,5", "1234.5"),
        ("fr", "1 234,5", "1234.5"),
        ("fr", "1\u202f234,5", "1234.5"),
        ("pt-br", "0,75", "0.75"),
        ("uk", "2.5", "2.5"),
        ("ar", "٢٫٥", "2.5"),
    ],
)
def test_a_quantity_is_read_with_the_decimal_mark_of_the_page_language(language, typed, read):
    from decimal import Decimal

    from django.utils import translation

    from commonpot.numbers import parse_decimal

    with translation.override(language):
        assert parse_decimal(typed, field="quantity", ceiling=100000) == Decimal(read)


@pytest.mark.parametrize(("language", "typed"), [("en", "2,5"), ("es", "1.500"), ("fr", "1,234.5")])
def test_a_figure_that_reads_two_ways_is_refused_not_guessed(language, typed):
    from django.utils import translation

    from commonpot.errors import DomainError
    from commonpot.numbers import parse_decimal

    with translation.override(language), pytest.raises(DomainError) as refused:
        parse_decimal(typed, field="quantity", ceiling=100000)
    assert refused.value.field == "quantity"
    with translation.override(language):
        not_a_number = translation.gettext("%(given)s is not a number.") % {"given": f"'{typed}'"}
    # Named as typed, and not called "not a number": it asks which was meant.
    assert str(refused.value).startswith(f"'{typed}'")
    assert str(refused.value) != not_a_number
    if language == "en":
        assert "could be read two ways" in str(refused.value)


def test_a_new_account_starts_in_the_language_its_sign_up_page_was_in(client):
    from commonpot.models import User

    response = client.post(
        reverse("signup"),
        {
            "name": "Lucía Pérez",
            "email": "lucia@example.org",
            "phone": "",
            "password1": "carrots-and-lentils",
            "password2": "carrots-and-lentils",
        },
        HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9",
    )
    assert response.status_code == 302
    assert User.objects.get(email="lucia@example.org").language == "es"


def test_the_profile_changes_a_persons_language_and_can_leave_it_to_the_browser(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="language"' in page
    form = {
        "display_name": user.display_name,
        "email": user.email,
        "phone": "",
        "remind_by_email": "on",
        "reminder_times": "site",
        "language": "uk",
    }
    assert client.post(reverse("profile"), form).status_code == 302
    user.refresh_from_db()
    assert user.language == "uk"
    assert client.post(reverse("profile"), {**form, "language": ""}).status_code == 302
    user.refresh_from_db()
    assert user.language == ""
    refused = client.post(reverse("profile"), {**form, "language": "tlh"})
    assert refused.status_code in (200, 400)
    user.refresh_from_db()
    assert user.language == ""


def test_a_lead_sets_the_language_of_the_sites_printed_sheets(lead, site):
    from tests.commonpot.test_sites import NEW_SITE
    from tests.conftest import client_for

    data = {**NEW_SITE, "name": site.name, "language": "ar"}
    data.pop("slug")
    edit = reverse("site_edit", args=[site.slug])
    assert client_for(lead).post(edit, data).status_code == 302
    site.refresh_from_db()
    assert site_language(site) == "ar"
    # Not in the post: the site keeps it. Not a language Commonpot speaks: refused.
    data.pop("language")
    assert client_for(lead).post(edit, data).status_code == 302
    site.refresh_from_db()
    assert site.language == "ar"
    assert client_for(lead).post(edit, {**data, "language": "xx"}).status_code == 400
    site.refresh_from_db()
    assert site.language == "ar"


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("lun-vie 10:00-16:00 Abierto", (0, 1, 2, 3, 4)),
        ("Lun.-Ven. 10:00-16:00 Ouvert", (0, 1, 2, 3, 4)),
        ("seg-sex 09:00-12:00 Aberto", (0, 1, 2, 3, 4)),
        ("Пн-Пт 10:00-16:00 Відкрито", (0, 1, 2, 3, 4)),
        ("Todos los días 18:00-19:30 Cena", (0, 1, 2, 3, 4, 5, 6)),
        ("sáb, dom 10:00-12:00 Desayuno", (5, 6)),
        ("السبت 10:00-12:00 مفتوح", (5,)),
    ],
)
def test_opening_hours_are_read_with_day_names_of_any_language_on_any_page(typed, days):
    from django.utils import translation

    from commonpot.hours import parse_hours

    # Typed on a Spanish page, read back on an English one (and the other way round).
    for language in ("en", "es"):
        with translation.override(language):
            assert parse_hours(typed)[0].weekdays == days


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("latas", "piece"),
        ("Boîtes", "piece"),
        ("unidades", "piece"),
        ("банки", "piece"),
        ("علب", "piece"),
        ("litros", "liter"),
        ("кг", "kilogram"),
        ("لتر", "liter"),
        ("gramos", "gram"),
    ],
)
def test_units_are_read_in_the_words_of_each_language(typed, unit):
    from pantry.units import parse_unit

    assert str(parse_unit(typed)) == unit


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "1,234.5 kg"),
        ("es", "1\xa0234,5 kg"),
        ("pt-br", "1.234,5 kg"),
        ("fr", "1\xa0234,5 kg"),
    ],
)
def test_quantities_are_written_with_the_marks_of_the_page_language(language, shown):
    from decimal import Decimal

    from django.utils import translation

    from pantry.models import Item
    from pantry.units import display, typed_back

    flour = Item(name="Flour", base_unit=Item.Unit.GRAM)
    with translation.override(language):
        assert display(Decimal("1234500"), flour, "metric") == shown
        # Filled into a form, it is read back the same in that language.
        figure, unit = typed_back(Decimal("1234500"), flour, "metric")
        assert (figure, unit) == ("1234.5", "kg")


def test_a_sites_public_page_is_in_the_sites_language_unless_the_visitor_chose_one(client):
    site = SiteFactory(language="es", is_public=True)
    url = reverse("site_detail", args=[site.slug])
    # A browser in a language Commonpot does not speak: the site's.
    assert 'lang="es"' in html_tag(client.get(url, HTTP_ACCEPT_LANGUAGE="de"))
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "es"
    # One it speaks, or a choice in the footer: the visitor's.
    assert 'lang="uk"' in html_tag(client.get(url, HTTP_ACCEPT_LANGUAGE="uk"))
    client.post(reverse("set_language"), {"language": "fr", "next": url})
    assert 'lang="fr"' in html_tag(client.get(url, HTTP_ACCEPT_LANGUAGE="de"))


@pytest.mark.parametrize("bad", ["xx", "", "../../etc", "es" * 300, "\x00"])
def test_a_language_commonpot_does_not_offer_in_a_link_or_cookie_falls_back(client, bad):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = bad.replace("\x00", "")
    response = client.get("/", {"lang": bad}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert 'lang="en"' in html_tag(response)


def test_a_link_can_open_a_page_in_a_language(client):
    assert 'lang="uk"' in html_tag(client.get("/sites/", {"lang": "uk"}))
    assert 'lang="pt-br"' in html_tag(client.get("/sites/", {"lang": "pt-BR"}))

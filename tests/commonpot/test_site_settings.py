"""The site's Settings page: the core's details and each app's section, saved together."""

import pytest
from django.urls import reverse

from commonpot import services
from commonpot.errors import DomainError
from commonpot.models import Site
from commonpot.registry import SettingsSection, registry
from pantry.forms import PantrySettingsForm
from pantry.models import BEST_BEFORE_DEFAULTS, PantrySettings
from tests.conftest import client_for
from volunteers.models import ShiftPolicy

SETTINGS = {
    # The site's own details
    "name": "Riverside Kitchen",
    "kind": "community_kitchen",
    "time_zone": "Europe/London",
    "is_public": "on",
    "opening_hours": "Mon 10:00-12:00",
    # The pantry's section
    "has_dry_storage": "on",
    "has_frozen_storage": "on",
    "paper_size": "letter",
    "label_sheet": "letter-10",
    "measures": "metric",
    # Days past best-before, as the defaults
    **{f"bb_{key}": str(days) for key, days in BEST_BEFORE_DEFAULTS.items()},
    # The volunteers' section
    "emergency_phone": "0117 946 0001",
    "safety_rules": "Closed shoes.",
    "reminder_hours": "48",
    "second_reminder_hours": "2",
}


def settings_url(site: Site) -> str:
    return reverse("site_edit", args=[site.slug])


@pytest.mark.django_db
def test_the_settings_page_shows_each_apps_section_with_the_sites_values(lead, site):
    ShiftPolicy.objects.create(site=site, emergency_phone="+441179460001")
    page = client_for(lead).get(settings_url(site)).content.decode()
    assert (
        "Storage, measures and paper" in page and "Shift reminders, sheets and attendance" in page
    )
    assert "Days past best-before food may still be given out" in page
    for field in ("has_chilled_storage", "paper_size", "reminder_hours", "safety_rules"):
        assert f'name="{field}"' in page
    assert 'value="+441179460001"' in page
    assert 'name="has_chilled_storage" id="id_has_chilled_storage" checked' in page


@pytest.mark.django_db
def test_the_settings_page_shows_the_defaults_for_a_site_without_app_settings(lead, site):
    PantrySettings.objects.filter(site=site).delete()
    page = client_for(lead).get(settings_url(site)).content.decode()
    assert '<option value="A4" selected>' in page
    assert 'name="reminder_hours" value="24"' in page
    assert not PantrySettings.objects.filter(site=site).exists()
    assert not ShiftPolicy.objects.filter(site=site).exists()


@pytest.mark.django_db
def test_a_lead_saves_every_section_of_the_settings_page_at_once(lead, site):
    response = client_for(lead).post(settings_url(site), SETTINGS)
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.opening_hours == "Mon 10:00-12:00"
    stores = PantrySettings.objects.get(site=site)
    assert stores.storage_areas == ["dry", "frozen"]
    assert stores.paper_size == "letter" and stores.label_sheet == "letter-10"
    policy = ShiftPolicy.objects.get(site=site)
    assert (policy.reminder_hours, policy.second_reminder_hours) == (48, 2)
    assert policy.emergency_phone == "+441179460001"
    assert policy.safety_rules == "Closed shoes."
    # The sign-up rules, on their own page, keep their defaults.
    assert (policy.sign_up_opens_days, policy.cancellation_cutoff_hours) == (28, 24)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "not one of the available choices"),
        ({"paper_size": "A3"}, "not one of the available choices"),
        ({"reminder_hours": "500"}, "less than or equal to 168"),
        ({"second_reminder_hours": "0"}, "greater than or equal to 1"),
        ({"emergency_phone": "call the lead"}, "does not look like a phone number"),
    ],
)
def test_a_bad_value_in_one_section_saves_nothing_of_any_section(lead, site, change, message):
    response = client_for(lead).post(settings_url(site), {**SETTINGS, **change})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    site.refresh_from_db()
    assert site.opening_hours == ""
    assert PantrySettings.objects.get(site=site).paper_size == "A4"
    assert not ShiftPolicy.objects.filter(site=site).exists()


@pytest.mark.django_db
def test_a_section_that_refuses_while_saving_rolls_back_the_site_and_the_other_sections(site):
    def refuse(site, **values):
        raise DomainError("The kitchen's records are closed.")

    broken = SettingsSection("broken", "Broken", PantrySettingsForm, refuse)
    with pytest.raises(DomainError):
        services.update_site(
            Site.objects.get(pk=site.pk),
            sections=[
                (registry_section("pantry"), {"paper_size": "letter"}),
                (broken, {}),
            ],
            opening_hours="Mon 10:00-12:00",
        )
    site.refresh_from_db()
    assert site.opening_hours == ""
    assert PantrySettings.objects.get(site=site).paper_size == "A4"


def registry_section(key: str) -> SettingsSection:
    return next(s for s in registry.settings_sections if s.key == key)


@pytest.mark.django_db
def test_a_lead_cannot_change_another_sites_settings(lead, other_site):
    response = client_for(lead).post(settings_url(other_site), {**SETTINGS, "name": "Taken"})
    assert response.status_code == 403
    other_site.refresh_from_db()
    assert other_site.name == "Eastside Food Bank"
    assert PantrySettings.objects.get(site=other_site).paper_size == "A4"
    assert not ShiftPolicy.objects.filter(site=other_site).exists()


@pytest.mark.django_db
def test_a_coordinator_adds_a_site_with_each_apps_settings(coordinator):
    data = {**SETTINGS, "name": "Northside Pantry", "slug": "northside", "kind": "pantry"}
    response = client_for(coordinator).post(reverse("site_create"), data)
    assert response.status_code == 302
    site = Site.objects.get(slug="northside")
    assert PantrySettings.objects.get(site=site).paper_size == "letter"
    assert ShiftPolicy.objects.get(site=site).reminder_hours == 48


@pytest.mark.django_db
def test_a_new_site_with_a_bad_section_is_not_added(coordinator):
    data = {**SETTINGS, "name": "Northside Pantry", "slug": "northside", "reminder_hours": "0"}
    response = client_for(coordinator).post(reverse("site_create"), data)
    assert "greater than or equal to 1" in response.content.decode()
    assert not Site.objects.filter(slug="northside").exists()
    assert not PantrySettings.objects.exists() and not ShiftPolicy.objects.exists()


def test_two_sections_cannot_name_the_same_field():
    from commonpot.registry import Registry

    fresh = Registry()
    fresh.add_settings_section(registry_section("pantry"))
    twin = SettingsSection("twin", "Twin", PantrySettingsForm, lambda site, **v: None)
    with pytest.raises(ValueError, match="paper_size"):
        fresh.add_settings_section(twin)


@pytest.mark.parametrize("chosen", ["Europe/London", "America/New_York", "", None])
def test_the_time_zone_list_is_the_same_select_django_would_draw(chosen):
    """The site form writes its ~600 time zones in one pass: same HTML, chosen zone
    selected, label and required mark kept."""
    from django import forms
    from django.test.testcases import assert_and_parse_html

    from commonpot.forms import LongSelect
    from commonpot.models import TIME_ZONE_CHOICES

    choices = [("", "---------"), *TIME_ZONE_CHOICES, ("A&B <x>", 'Tom & "Jerry"')]
    attrs = {"id": "id_time_zone", "required": True, "aria-describedby": "tz_help"}
    ours = LongSelect(choices=choices).render("time_zone", chosen, attrs)
    django = forms.Select(choices=choices).render("time_zone", chosen, attrs)
    assert assert_and_parse_html(None, ours, None, "") == assert_and_parse_html(
        None, django, None, ""
    )
    assert "&amp;B &lt;x&gt;" in ours and "<x>" not in ours
    if chosen:
        assert f'<option value="{chosen}" selected>' in ours

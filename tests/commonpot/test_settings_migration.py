"""The move of the site's settings into the apps' rows keeps every site's values;
the open-data service ids kept since then are the ids sites were published with."""

import uuid

import pytest
from django.conf import settings

from tests.migrating import migrate, migrate_to_latest

BEFORE = [
    ("commonpot", "0004_structured_hours"),
    ("pantry", "0001_initial"),
    ("volunteers", "0002_shift_meal_and_transfer"),
]


@pytest.mark.django_db(transaction=True)
def test_each_sites_settings_move_to_the_pantry_and_the_shift_policy_unchanged():
    old = migrate(BEFORE)
    Site = old.get_model("commonpot", "Site")
    depot = Site.objects.create(
        name="Depot",
        slug="depot",
        kind="food_bank",
        has_dry_storage=False,
        has_frozen_storage=True,
        paper_size="letter",
        reminder_hours=48,
        second_reminder_hours=2,
        safety_rules="Steel-toe boots.",
        emergency_phone="+12125550199",
    )
    plain = Site.objects.create(name="Plain", slug="plain", kind="pantry")

    migrate_to_latest()

    from pantry.models import PantrySettings
    from volunteers.models import DEFAULT_SAFETY_RULES, ShiftPolicy

    # The ids the open data published before they were kept (commonpot.opendata).
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)
    for site in (depot, plain):
        published = uuid.uuid5(namespace, f"site:{site.pk}:service")
        from commonpot.models import Site as CurrentSite

        assert CurrentSite.objects.get(pk=site.pk).service_id == published

    stores = PantrySettings.objects.get(site_id=depot.pk)
    assert stores.storage_areas == ["frozen"] and stores.paper_size == "letter"
    policy = ShiftPolicy.objects.get(site_id=depot.pk)
    assert (policy.reminder_hours, policy.second_reminder_hours) == (48, 2)
    assert policy.safety_rules == "Steel-toe boots."
    assert policy.emergency_phone == "+12125550199"

    stores = PantrySettings.objects.get(site_id=plain.pk)
    assert stores.storage_areas == ["dry"] and stores.paper_size == "A4"
    policy = ShiftPolicy.objects.get(site_id=plain.pk)
    assert (policy.reminder_hours, policy.second_reminder_hours) == (24, None)
    assert policy.safety_rules == DEFAULT_SAFETY_RULES and policy.emergency_phone == ""

"""The Django admin holds every table, and every list page opens."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

OUR_APPS = {"commonpot", "pantry", "network", "kitchen", "volunteers"}


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_is_in_the_admin():
    missing = [m._meta.label for m in our_models() if not admin.site.is_registered(m)]
    assert not missing, f"not in the admin: {missing}"


@pytest.mark.django_db
def test_every_admin_list_and_first_row_opens_on_the_demo_network(client):
    call_command("seed_demo")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in our_models():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        first = model.objects.first()
        if first is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert client.get(url).status_code == 200, url

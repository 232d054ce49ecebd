import pytest
from django.core.management import call_command

from commonpot.models import Membership, Site, User
from tests.conftest import client_for


@pytest.mark.django_db
def test_the_demo_network_is_believable_and_safe_to_build_twice():
    call_command("seed_demo")
    counts = (Site.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Site.objects.count(), User.objects.count(), Membership.objects.count()) == counts

    assert Site.objects.values("kind").distinct().count() >= 3
    assert Site.objects.values("time_zone").distinct().count() >= 2
    assert User.objects.filter(is_coordinator=True).exists()
    for site in Site.objects.all():
        assert site.memberships.filter(role="lead").exists(), site
    assert Membership.objects.filter(role="volunteer").count() >= 12


@pytest.mark.django_db
def test_each_demo_login_works_and_lands_on_its_home_page(client):
    call_command("seed_demo")
    expected = {"coordinator": "The network", "lead": "Riverside", "volunteer": "Hello, Vera"}
    for username, text in expected.items():
        client.post("/accounts/login/", {"username": username, "password": "commonpot-demo"})
        assert text in client.get("/").content.decode()
        client.logout()


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_network_alone(site):
    call_command("seed_demo", "--if-empty")
    assert list(Site.objects.all()) == [site]
    assert client_for(None).get("/").status_code == 200


@pytest.mark.django_db
def test_the_demo_volunteer_is_reminded_by_email_and_by_text(django_capture_on_commit_callbacks):
    from commonpot.models import Message
    from volunteers import reminders

    call_command("seed_demo")
    with django_capture_on_commit_callbacks(execute=False):
        reminders.send_due_reminders()
    vera = User.objects.get(username="volunteer")
    channels = set(
        Message.objects.filter(to_user=vera, kind=reminders.REMINDER).values_list(
            "channel", flat=True
        )
    )
    assert channels == {"email", "sms"}

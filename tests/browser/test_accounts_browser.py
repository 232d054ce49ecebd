import pytest
from playwright.sync_api import expect

from commonpot.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_signs_up_on_a_phone_logs_out_and_back_in(phone):
    phone.goto("/")
    phone.get_by_role("link", name="Volunteer with us").click()
    phone.get_by_label("Name").fill("Nia Baker")
    phone.get_by_label("Email").fill("nia@example.org")
    phone.get_by_label("Phone").fill("+44 7700 900456")
    phone.get_by_label("Password", exact=True).fill("carrots-and-lentils")
    phone.get_by_label("Password again").fill("carrots-and-lentils")
    phone.get_by_role("button", name="Sign up").click()
    expect(phone.get_by_role("heading", name="Hello, Nia Baker")).to_be_visible()
    assert User.objects.filter(email="nia@example.org").exists()

    phone.get_by_role("button", name="Log out").click()
    expect(phone.get_by_role("link", name="Log in")).to_be_visible()

    phone.get_by_role("link", name="Log in").click()
    phone.get_by_label("Username").fill("nia@example.org")
    phone.get_by_label("Password").fill("carrots-and-lentils")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("heading", name="Hello, Nia Baker")).to_be_visible()
    expect(phone.get_by_role("heading", name="Where you volunteer")).to_be_visible()


def test_sign_up_errors_show_beside_the_field(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Name").fill("Nia")
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("p.error", has_text="This password is too short")).to_be_visible()
    assert not User.objects.exists()

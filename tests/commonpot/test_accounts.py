import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from commonpot.models import Membership, User
from tests.factories import MembershipFactory, UserFactory

GOOD = {
    "name": "Nia Baker",
    "email": "nia@example.org",
    "phone": "+44 7700 900456",
    "password1": "carrots-and-lentils",
    "password2": "carrots-and-lentils",
}


@pytest.mark.django_db
def test_a_volunteer_signs_up_and_lands_on_their_home_page(client):
    response = client.post(reverse("signup"), GOOD, follow=True)
    assert response.status_code == 200
    assert "Hello, Nia Baker" in response.content.decode()
    user = User.objects.get(email="nia@example.org")
    assert user.phone == "+447700900456"
    assert not user.is_coordinator
    assert response.context["user"] == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password2": "something-else-entirely"}, "password2", "not the same"),
        ({"phone": "12ab"}, "phone", "does not look like a phone number"),
        ({"phone": "+44 12"}, "phone", "does not look like a phone number"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_sign_up_refuses_bad_input_and_writes_nothing(client, change, field, message):
    response = client.post(reverse("signup"), {**GOOD, **change})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signing_up_from_a_sites_page_joins_that_site(client, site):
    page = client.get(reverse("site_detail", args=[site.slug])).content.decode()
    link = f"{reverse('signup')}?site={site.slug}"
    assert link in page
    form = client.get(link).content.decode()
    assert f"You will join <strong>{site.name}</strong>" in form
    response = client.post(link, GOOD, follow=True)
    assert f"You volunteer at {site.name} now." in response.content.decode()
    user = User.objects.get(email="nia@example.org")
    assert Membership.objects.get(user=user).site == site
    assert "You have not joined a site yet" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["no-such-site", "private"])
def test_signing_up_for_a_site_that_cannot_be_joined_is_a_404_and_makes_no_account(
    client, site, slug
):
    if slug == "private":
        site.is_public = False
        site.save()
        slug = site.slug
    response = client.post(f"{reverse('signup')}?site={slug}", GOOD)
    assert response.status_code == 404
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_with_a_taken_email_in_any_case_is_refused(client):
    UserFactory(email="nia@example.org")
    response = client.post(reverse("signup"), {**GOOD, "email": "NIA@Example.org"})
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_people_log_in_with_their_email_or_user_name(client):
    UserFactory(username="lena", email="lena@example.org", password="carrots-and-lentils")
    for login in ("lena@example.org", "LENA"):
        response = client.post(
            reverse("login"), {"username": login, "password": "carrots-and-lentils"}
        )
        assert response.status_code == 302, login
        client.logout()


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_for_a_while(client):
    UserFactory(username="lena", password="carrots-and-lentils")
    for _ in range(5):
        client.post(reverse("login"), {"username": "lena", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "lena", "password": "carrots-and-lentils"}
    )
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def log_in(client, login: str, password: str):
    return client.post(reverse("login"), {"username": login, "password": password})


def lock_out(client, login: str) -> None:
    for _ in range(4):
        assert log_in(client, login, "wrong").status_code == 200
    assert log_in(client, login, "wrong").status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["LENA", "Lena", "lEnA", "lena@example.org", "LENA@EXAMPLE.ORG"])
def test_a_locked_out_account_stays_locked_whatever_case_or_email_is_typed(client, typed):
    UserFactory(username="lena", email="lena@example.org", password="carrots-and-lentils")
    lock_out(client, "lena")
    for _ in range(4):
        assert log_in(client, typed, "wrong").status_code == 429
    response = log_in(client, typed, "carrots-and-lentils")
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_passwords_count_together_whatever_case_or_email_is_typed(client):
    UserFactory(username="lena", email="lena@example.org", password="carrots-and-lentils")
    for typed in ("lena", "LENA", "Lena", "lena@example.org"):
        assert log_in(client, typed, "wrong").status_code == 200
    assert log_in(client, "LENA@EXAMPLE.ORG", "wrong").status_code == 429
    response = log_in(client, "lEnA", "carrots-and-lentils")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().username == "lena"


@pytest.mark.django_db
def test_an_unknown_name_is_locked_whatever_case_it_is_typed_in(client):
    for typed in ("Ghost", "GHOST", "ghost", " gHoSt "):
        assert log_in(client, typed, "wrong").status_code == 200
    assert log_in(client, "GHOST", "wrong").status_code == 429
    assert log_in(client, "GhOsT", "wrong").status_code == 429
    assert AccessAttempt.objects.get().username == "ghost"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_a_ten_thousand_character_name_at_log_in_is_refused_and_still_counted(client, page):
    typed = "X" * 10_000
    response = client.post(reverse(page), {"username": typed, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().username == "x" * 255
    for _ in range(4):
        client.post(reverse(page), {"username": typed, "password": "wrong"})
    assert client.post(reverse(page), {"username": typed, "password": "wrong"}).status_code == 429


@pytest.mark.django_db
def test_locking_one_account_leaves_another_able_to_log_in(client):
    UserFactory(username="lena", email="lena@example.org", password="carrots-and-lentils")
    UserFactory(username="olly", email="olly@example.org", password="beans-and-barley")
    lock_out(client, "LENA@example.org")
    assert log_in(client, "Olly", "beans-and-barley").status_code == 302


@pytest.mark.django_db
def test_the_admin_log_in_is_locked_too_for_an_account_locked_on_the_main_log_in(client):
    UserFactory(username="lena", email="lena@example.org", password="carrots-and-lentils")
    lock_out(client, "lena")
    response = client.post(
        reverse("admin:login"), {"username": "LENA", "password": "carrots-and-lentils"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_right_password_before_the_limit_clears_the_count_for_every_spelling(client):
    UserFactory(username="lena", email="lena@example.org", password="carrots-and-lentils")
    for typed in ("LENA", "lena@example.org", "Lena", "lena"):
        log_in(client, typed, "wrong")
    assert log_in(client, "LENA@EXAMPLE.ORG", "carrots-and-lentils").status_code == 302
    client.logout()
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_works(client):
    UserFactory(username="lena", email="lena@example.org")
    client.post(reverse("password_reset"), {"email": "lena@example.org"})
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/password/reset/" in w)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "fresh-bread-daily", "new_password2": "fresh-bread-daily"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="lena").check_password("fresh-bread-daily")


@pytest.mark.django_db
def test_a_volunteer_updates_their_contact_details_and_reminders(client, volunteer):
    client.force_login(volunteer)
    response = client.post(
        reverse("profile"),
        {
            "display_name": "Vera O.",
            "email": "vera@example.org",
            "phone": "07700 900999",
            "remind_by_sms": "on",
            "reminder_times": "soon",
        },
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert (
        volunteer.display_name,
        volunteer.phone,
        volunteer.remind_by_email,
        volunteer.remind_by_sms,
        volunteer.reminder_times,
    ) == ("Vera O.", "+447700900999", False, True, "soon")


@pytest.mark.django_db
def test_profile_refuses_an_email_another_account_uses(client, volunteer):
    UserFactory(email="taken@example.org")
    client.force_login(volunteer)
    response = client.post(
        reverse("profile"),
        {
            "display_name": "Vera",
            "email": "taken@example.org",
            "remind_by_email": "on",
            "reminder_times": "site",
        },
    )
    assert response.status_code == 400
    assert "Another account uses this email" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.email != "taken@example.org"


@pytest.mark.django_db
def test_the_profiles_email_is_not_called_optional_and_an_empty_one_is_refused(client, volunteer):
    client.force_login(volunteer)
    page = client.get(reverse("profile")).content.decode()
    label = page[page.index('<label for="id_email">') :]
    assert "(optional)" not in label[: label.index("</label>")]
    response = client.post(
        reverse("profile"),
        {"display_name": "Vera", "email": "", "remind_by_email": "on", "reminder_times": "site"},
    )
    assert response.status_code == 400
    assert "We need an email address to reach you." in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.email


@pytest.mark.django_db
def test_deleting_an_account_erases_personal_data_but_keeps_the_row(client, volunteer, site):
    client.force_login(volunteer)
    response = client.post(reverse("delete_account"), {"password": "wrong"})
    assert "not your password" in response.content.decode()
    assert User.objects.get(pk=volunteer.pk).erased_at is None

    response = client.post(reverse("delete_account"), {"password": "a-long-test-password"})
    assert response.status_code == 302
    erased = User.objects.get(pk=volunteer.pk)
    assert (erased.email, erased.phone, erased.is_active) == ("", "", False)
    assert "Vera" not in erased.name
    assert not erased.has_usable_password()
    assert not Membership.objects.filter(user=erased).exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_volunteer_joins_a_public_site(client, outsider, site):
    client.force_login(outsider)
    response = client.post(reverse("site_join", args=[site.slug]))
    assert response.status_code == 302
    assert Membership.objects.filter(user=outsider, site=site, role="volunteer").exists()


@pytest.mark.django_db
def test_nobody_can_join_a_private_site_by_guessing_its_address(client, outsider, private_site):
    client.force_login(outsider)
    assert client.post(reverse("site_join", args=[private_site.slug])).status_code == 404
    assert not Membership.objects.filter(user=outsider).exists()


@pytest.mark.django_db
def test_deleted_account_cannot_log_in(client):
    user = UserFactory(username="gone", password="carrots-and-lentils")
    MembershipFactory(user=user)
    user.erase()
    response = client.post(
        reverse("login"), {"username": "gone", "password": "carrots-and-lentils"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

# AccessAttempt.username's length in django-axes.
LOCKOUT_NAME_LENGTH = 255


def find_account(login: str):
    """The one account a typed user name or email address names, in any case, or None.

    The log-in backend and the lockout counter both ask this, so that they agree on
    which account "Lena", "LENA" and "lena@example.org" mean.
    """
    User = get_user_model()
    login = login.strip()
    if not login:
        return None
    field = "email__iexact" if "@" in login else "username__iexact"
    try:
        return User.objects.get(**{field: login})
    except (User.DoesNotExist, User.MultipleObjectsReturned):
        return None


def lockout_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The name django-axes counts failed log-ins under (AXES_USERNAME_CALLABLE).

    Failures count per account, not per text typed: every spelling of a name and the
    account's email address count together, under the account's own user name.
    Text that names no account counts under its lower-cased form, so changing its
    case does not start a fresh count either; cut to what the count's column holds
    (django-axes cuts its other columns, not this one, and PostgreSQL refuses a
    longer value where SQLite would keep it).
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials is not None and field in credentials:
        typed = credentials[field]
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(field)
    if typed is None:
        return None
    user = find_account(typed)
    if user is not None:
        return user.get_username()
    return typed.strip().lower()[:LOCKOUT_NAME_LENGTH]


class UsernameOrEmailBackend(ModelBackend):
    """Log in with a user name or an email address, either in any case."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Run the hasher anyway so timing does not tell which names exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

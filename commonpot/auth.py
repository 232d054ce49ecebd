from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class UsernameOrEmailBackend(ModelBackend):
    """Log in with a user name or an email address, either in any case."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        login = username.strip()
        field = "email__iexact" if "@" in login else "username__iexact"
        try:
            user = User.objects.get(**{field: login})
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            # Run the hasher anyway so timing does not tell which names exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

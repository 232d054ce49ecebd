"""A form submitted twice records once.

Every form that creates a record carries a one-time token (`TokenForm`), and
the record keeps it in a unique column (`Tokened`). A double click, a retry on
a bad connection or a phone replaying its queue sends the same token again;
the service looks it up first (`already_recorded`) and answers with the first
record instead of writing a second. The unique column is what makes this hold
when two copies arrive at once: the second insert fails and its transaction
rolls back.

The record also keeps a fingerprint of what the form said (`fingerprint`,
stored by `tokened`). The same token with other content (the form sent again
after the person changed a quantity) is not a replay to answer quietly: it
raises `AlreadySent`, which `commonpot.middleware.AlreadySentMiddleware`
turns into "This form was already sent; your changes were not saved" and a
link to what was recorded, for every tokened form alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.errors import DomainError
from commonpot.numbers import decimal_text


class Tokened(models.Model):
    """A record created by a form: `token` is the form's one-time token."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What the form said (`fingerprint`); empty for records made before it was kept,
    # which a replay then answers as it always did.
    token_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        abstract = True


class TokenForm(forms.Form):
    """A form that carries an idempotency token: submitted twice, recorded once."""

    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class AlreadySent(Exception):  # noqa: N818 — named for what the person is told
    """The form's token made `record` already, from other content: nothing was saved.

    Not a DomainError on purpose: a view's `except DomainError` would put it on the
    form as if the new figures could be fixed and sent, when the form is spent.
    """

    message = gettext_lazy("This form was already sent; your changes were not saved.")

    def __init__(self, record: models.Model):
        super().__init__(self.message)
        self.record = record


def _canonical(value: Any) -> Any:
    """`value` as plain JSON that is equal for what a person would call the same entry."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _canonical(Decimal(value))
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if isinstance(value, str):
        value = value.strip()
        try:
            number = Decimal(decimal_text(value))
        except (InvalidOperation, ValueError):
            return value
        # "2", "2.0" and "2.00" are one quantity; the form keeps what was typed.
        return _canonical(number) if number.is_finite() else value
    if isinstance(value, Decimal | float):
        number = Decimal(str(value))
        return format(number.normalize(), "f") if number.is_finite() else str(number)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=repr)
    return str(value)


def fingerprint(content: dict[str, Any]) -> str:
    """A short fixed digest of what a form said (the values its service was given)."""
    text = json.dumps(_canonical(content), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def tokened(token, content: dict[str, Any]) -> dict[str, Any]:
    """The fields a new record takes from its form: the token and what the form said."""
    if token is None:
        return {}
    return {"token": token, "token_digest": fingerprint(content)}


def same_site(record, site):
    """`record`, if it belongs to `site`; a token is never good at another site."""
    if record.site_id != site.pk:
        raise DomainError(_("This form was already used at another site."))
    return record


def already_recorded(model, token, site=None, *, content: dict[str, Any] | None = None, **same):
    """What an earlier submission of the same form made, if any.

    The record must belong to `site` and match `same` (field=value), or the
    token was reused for something else. Given `content` (what this submission
    says, as passed to `tokened` when recording), a record made from other
    content raises `AlreadySent`.
    """
    if token is None:
        return None
    existing = model.objects.filter(token=token).first()
    if existing is None:
        return None
    if site is not None:
        same_site(existing, site)
    for name, value in same.items():
        if getattr(existing, name) != value:
            raise DomainError(_("This form was already used for something else; reload the page."))
    # A record from before fingerprints were kept has none: answered as a replay.
    changed = content is not None and existing.token_digest not in ("", fingerprint(content))
    if changed:
        raise AlreadySent(existing)
    return existing

"""A form submitted twice records once.

Every form that creates a record carries a one-time token (`TokenForm`), and
the record keeps it in a unique column (`Tokened`). A double click, a retry on
a bad connection or a phone replaying its queue sends the same token again;
the service looks it up first (`already_recorded`) and answers with the first
record instead of writing a second. The unique column is what makes this hold
when two copies arrive at once: the second insert fails and its transaction
rolls back.
"""

from __future__ import annotations

import uuid

from django import forms
from django.db import models

from commonpot.errors import DomainError


class Tokened(models.Model):
    """A record created by a form: `token` is the form's one-time token."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TokenForm(forms.Form):
    """A form that carries an idempotency token: submitted twice, recorded once."""

    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


def same_site(record, site):
    """`record`, if it belongs to `site`; a token is never good at another site."""
    if record.site_id != site.pk:
        raise DomainError("This form was already used at another site.")
    return record


def already_recorded(model, token, site=None, **same):
    """What an earlier submission of the same form made, if any.

    The record must belong to `site` and match `same` (field=value), or the
    token was reused for something else.
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
            raise DomainError("This form was already used for something else; reload the page.")
    return existing

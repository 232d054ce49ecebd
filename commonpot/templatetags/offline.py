"""`{% new_token %}`: a fresh one-time form token (`commonpot.idempotency`) for a
form repeated down a page (a roster's check-ins, the waste page's discards), where
there is no Django form per row to carry one."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def new_token() -> str:
    return str(uuid.uuid4())

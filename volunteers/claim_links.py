"""One-tap claim links: a signed link in a "short of people" message that lets the
person it was sent to claim a place without logging in on that phone.

The link names the shift and the person and is signed with the site's secret key
(django.core.signing), so it cannot be made for anyone else or another shift;
it lasts a week, and a shift that has started cannot be claimed anyway. Opening
it changes nothing: the page shows the shift with one button, and the claim is
that button's POST (through `services.claim_shift`, with all its checks).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "volunteers.claim-link"
LIFETIME = 7 * 24 * 3600  # seconds


def claim_url(shift_id: int, user_id: int) -> str:
    token = signing.dumps({"s": shift_id, "u": user_id}, salt=SALT, compress=True)
    return settings.SITE_URL + reverse("volunteers:claim_link", args=[token])


def read_token(token: str) -> tuple[int, int] | None:
    """(shift id, user id), or None for a link that is not ours, altered or too old."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    shift_id, user_id = data.get("s"), data.get("u")
    if not isinstance(shift_id, int) or not isinstance(user_id, int):
        return None
    return shift_id, user_id

"""Murmurations profiles of the offers and needs sites share with partner networks.

Public, read-only and in English, like the rest of the open data: the Murmurations
index and anyone else may read them. An offer or need that is closed, not shared, or
at a site not listed publicly has none.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from pantry.network import murmurations


def _profile_response(profile: dict | None, what: str) -> JsonResponse:
    if profile is None:
        body = {"error": f"No open {what} shared with partner networks has this number."}
        response = JsonResponse(body, status=404)
    else:
        response = JsonResponse(profile)
    response["Content-Language"] = "en"
    return response


@require_GET
def offer_profile(request: HttpRequest, pk: int) -> JsonResponse:
    offer = murmurations.shared_offers().select_related("site", "item").filter(pk=pk).first()
    return _profile_response(offer and murmurations.offer_profile(offer), "offer")


@require_GET
def need_profile(request: HttpRequest, pk: int) -> JsonResponse:
    need = murmurations.shared_needs().select_related("site", "item").filter(pk=pk).first()
    return _profile_response(need and murmurations.need_profile(need), "need")

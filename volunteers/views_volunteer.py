"""Pages for volunteers: My shifts, qualifications, calendar links."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET


@login_required
@require_GET
def my_shifts(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "volunteers/my_shifts.html", {})

"""Watching a site or role: the volunteer's list of watches, adding one, stopping one
(volunteers/watches.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error
from volunteers import watches
from volunteers.forms_volunteer import WatchForm


def _described(watch) -> str:
    what = f"{watch.role.name} shifts" if watch.role_id else "shifts"
    return f"{what} at {watch.site.name}"


@login_required
@require_http_methods(["GET", "POST"])
def watches_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = WatchForm(request.POST or None, volunteer=user)
    if request.method == "POST" and form.is_valid():
        try:
            watch, new = watches.watch_shifts(volunteer=user, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            if new:
                messages.success(
                    request,
                    f"We'll email you when {_described(watch)} are short of people "
                    f"{watch.hours_before} hours before they start.",
                )
            else:
                messages.success(
                    request,
                    f"You now hear about {_described(watch)} {watch.hours_before} hours before.",
                )
            return redirect("volunteers:watches")
    return TemplateResponse(
        request,
        "volunteers/watches.html",
        {"form": form, "watches": watches.watches_of(user)},
        status=form_status(form),
    )


@login_required
@require_POST
def watch_stop(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        watch = watches.stop_watching(watch_id=pk, by=request.user)
    except DomainError as e:
        raise Http404(e.message) from None
    messages.success(request, f"You no longer hear about {_described(watch)}.")
    return redirect("volunteers:watches")

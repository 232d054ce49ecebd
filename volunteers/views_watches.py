"""Watching a site or role: the volunteer's list of watches, adding one, stopping one
(volunteers/watches.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error
from volunteers import watches
from volunteers.forms_volunteer import WatchForm


def _described(watch) -> str:
    """ "Cook shifts at Riverside Kitchen", "shifts at Riverside Kitchen"."""
    if watch.role_id:
        # Translators: what a watch covers: "Cook shifts at Riverside Kitchen".
        return _("%(role)s shifts at %(site)s") % {
            "role": watch.role.name,
            "site": watch.site.name,
        }
    return _("shifts at %(site)s") % {"site": watch.site.name}


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
            values = {"what": _described(watch), "n": watch.hours_before}
            if new:
                messages.success(
                    request,
                    ngettext(
                        "We'll email you when %(what)s are short of people %(n)s hour before "
                        "they start.",
                        "We'll email you when %(what)s are short of people %(n)s hours before "
                        "they start.",
                        watch.hours_before,
                    )
                    % values,
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "You now hear about %(what)s %(n)s hour before.",
                        "You now hear about %(what)s %(n)s hours before.",
                        watch.hours_before,
                    )
                    % values,
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
    messages.success(request, _("You no longer hear about %(what)s.") % {"what": _described(watch)})
    return redirect("volunteers:watches")

"""Recall pages: the list, starting one, the trace with each site's answer, its PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot import pdf
from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error
from commonpot.models import Site
from commonpot.permissions import can_manage_site, is_coordinator, is_lead, lead_site_ids
from pantry.forms_recalls import AnswerForm, CloseForm, RecallForm
from pantry.models import LotHold, Recall, RecallSite
from pantry.services import recalls
from pantry.units import display


def _may_recall(user) -> None:
    if not (is_coordinator(user) or is_lead(user)):
        raise PermissionDenied(_("Only site leads and coordinators deal with recalls."))


def _recall(request: HttpRequest, recall_id: int) -> Recall:
    _may_recall(request.user)
    recall = recalls.recall_of(request.user, recall_id)
    if recall is None:
        raise Http404(_("No such recall, or it did not reach a site you lead."))
    return recall


@login_required
@require_GET
def recall_list(request: HttpRequest) -> HttpResponse:
    _may_recall(request.user)
    rows = recalls.visible_recalls(request.user).annotate(
        site_count=Count("sites", distinct=True),
        waiting=Count("sites", filter=Q(sites__answer=RecallSite.Answer.WAITING), distinct=True),
    )
    return TemplateResponse(request, "pantry/recalls.html", {"recalls": rows[:200]})


def _lead_sites(user) -> list[Site]:
    return list(Site.objects.filter(pk__in=lead_site_ids(user), is_active=True).order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def recall_new(request: HttpRequest) -> HttpResponse:
    _may_recall(request.user)
    network = is_coordinator(request.user)
    sites = _lead_sites(request.user) if not network else []
    data = request.POST if request.method == "POST" else None
    form = RecallForm(data, sites=sites, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            recall = recalls.start_recall(
                title=form.cleaned_data["title"],
                reason=form.cleaned_data["reason"],
                criteria=form.criteria(),
                site=form.cleaned_data["where"],
                by=request.user,
            )
        except DomainError as e:
            show_error(form, e)
        else:
            held = LotHold.objects.filter(recall=recall).count()
            reached = recall.sites.count()
            messages.success(
                request,
                ngettext(
                    # Translators: %(sites)s is "3 sites" (its own message).
                    "Recall started: %(count)s lot held at %(sites)s; each site's leads have "
                    "been told.",
                    "Recall started: %(count)s lots held at %(sites)s; each site's leads have "
                    "been told.",
                    held,
                )
                % {
                    "count": held,
                    "sites": ngettext("%(count)s site", "%(count)s sites", reached)
                    % {"count": reached},
                },
            )
            return redirect(recall)
    status = 200 if request.method == "GET" else form_status(form)
    return TemplateResponse(request, "pantry/recall_new.html", {"form": form}, status=status)


def _context(request: HttpRequest, recall: Recall) -> dict:
    found = recalls.recall_trace(recall)
    holds = {
        hold.lot_id: hold
        for hold in LotHold.objects.filter(recall=recall).select_related("released_by")
    }
    answers = {part.site_id: part for part in recall.sites.select_related("site", "answered_by")}
    mine = lead_site_ids(request.user)
    coordinator = is_coordinator(request.user)
    by_site = []
    for site, lots in sorted(found.lots_by_site(), key=lambda pair: pair[0].name):
        rows = []
        for lot in sorted(lots, key=lambda lot: (lot.item.name, lot.pk)):
            uses = [
                {"use": use, "quantity": display(use.quantity, lot.item)}
                for use in found.uses_of(lot.pk)
            ]
            rows.append(
                {
                    "lot": lot,
                    "source": lot.source
                    if coordinator or site.pk in mine
                    else lot.shareable_source,
                    "left": display(lot.on_hand, lot.item),
                    "hold": holds.get(lot.pk),
                    "uses": uses,
                }
            )
        part = answers.get(site.pk)
        may_answer = (
            recall.is_open
            and part is not None
            and site.pk in mine
            and can_manage_site(request.user, site)
        )
        by_site.append(
            {
                "site": site,
                "rows": rows,
                "part": part,
                "form": AnswerForm(prefix=f"site{site.pk}") if may_answer else None,
            }
        )
    origins = [
        {
            "origin": origin,
            "donor": origin.donor_name
            if not origin.from_a_person or can_manage_site(request.user, origin.lot.site)
            else _("a private donor"),
        }
        for origin in found.origins
    ]
    return {
        "recall": recall,
        "trace": found,
        "origins": origins,
        "by_site": by_site,
        "may_close": recall.is_open and recalls.may_close(request.user, recall),
        "close_form": CloseForm(),
    }


@login_required
@require_GET
def recall_detail(request: HttpRequest, recall_id: int) -> HttpResponse:
    recall = _recall(request, recall_id)
    return TemplateResponse(request, "pantry/recall.html", _context(request, recall))


@login_required
@require_POST
def recall_answer(request: HttpRequest, recall_id: int, slug: str) -> HttpResponse:
    recall = _recall(request, recall_id)
    site = Site.objects.filter(slug=slug).first()
    if site is None or not can_manage_site(request.user, site):
        raise PermissionDenied(_("Only that site's leads can answer for it."))
    form = AnswerForm(request.POST, prefix=f"site{site.pk}")
    if form.is_valid():
        try:
            recalls.answer_recall(
                recall,
                site=site,
                answer=form.cleaned_data["answer"],
                destination=form.cleaned_data["destination"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("%(site)s's answer is recorded.") % {"site": site.name})
            return redirect(recall)
    context = _context(request, recall)
    for part in context["by_site"]:
        if part["site"].pk == site.pk:
            part["form"] = form
    return TemplateResponse(request, "pantry/recall.html", context, status=form_status(form))


@login_required
@require_POST
def recall_close(request: HttpRequest, recall_id: int) -> HttpResponse:
    recall = _recall(request, recall_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            recalls.close_recall(recall, by=request.user, note=form.cleaned_data["note"])
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Recall closed."))
            return redirect(recall)
    context = _context(request, recall)
    context["close_form"] = form
    return TemplateResponse(request, "pantry/recall.html", context, status=form_status(form))


@login_required
@require_GET
def recall_pdf(request: HttpRequest, recall_id: int) -> HttpResponse:
    recall = _recall(request, recall_id)
    context = _context(request, recall)
    return pdf.serve_pdf(
        pdf.render_pdf("pantry/pdf/recall.html", context, request),
        f"recall-{recall.pk}-trace.pdf",
    )

"""Hours certificates: the volunteer's page to issue and download them, and the
public page where anyone checks a certificate's code (volunteers/certificates.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error
from commonpot.pdf import serve_pdf
from volunteers import certificates, pdf
from volunteers.forms_volunteer import CertificateForm
from volunteers.models import CERTIFICATE_CODE_LENGTH, HoursCertificate


def check_url(certificate: HoursCertificate) -> str:
    return settings.SITE_URL + reverse("volunteers:certificate_check", args=[certificate.code])


@login_required
@require_http_methods(["GET", "POST"])
def certificates_page(request: HttpRequest) -> HttpResponse:
    """Choose a site and a period; issuing sends the PDF straight away."""
    user = request.user
    form = CertificateForm(request.POST or None, volunteer=user)
    if request.method == "POST" and form.is_valid():
        try:
            certificate, _issued_now = certificates.issue_hours_certificate(
                volunteer=user, **form.cleaned_data
            )
        except DomainError as e:
            show_error(form, e)
        else:
            return redirect("volunteers:certificate_pdf", code=certificate.code)
    issued = user.hours_certificates.all()[:50]
    return TemplateResponse(
        request,
        "volunteers/certificates.html",
        {"form": form, "issued": issued, "has_hours": form.fields["site"].queryset.exists()},
        status=form_status(form),
    )


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The person's own certificate; anyone else's is not found (the public check
    shows the few facts it states, never the paper itself)."""
    certificate = certificates.own_certificate(request.user, code)
    if certificate is None:
        raise Http404(_("No such certificate of yours."))
    document = pdf.hours_certificate(certificate, check_url(certificate))
    name = f"hours-{slugify(certificate.site_name)}-{certificate.starts_on}-{certificate.ends_on}"
    return serve_pdf(document.write_pdf(), f"{name}.pdf", attachment=True)


def _noindex(response: HttpResponse) -> HttpResponse:
    # Nobody should find a person's certificate through a search engine.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """Type a code from a certificate; a plausible one goes to its page."""
    typed = request.GET.get("code", "").strip()
    error = ""
    if typed:
        code = certificates.normalise_code(typed)
        if code is not None:
            return redirect("volunteers:certificate_check", code=code)
        error = _("A certificate's code is %(n)s letters and digits, as printed on it.") % {
            "n": CERTIFICATE_CODE_LENGTH
        }
    return _noindex(
        TemplateResponse(
            request,
            "volunteers/certificate_check.html",
            {"certificate": None, "typed": typed, "error": error},
            status=400 if error else 200,
        )
    )


@require_GET
@never_cache
def certificate_check(request: HttpRequest, code: str) -> HttpResponse:
    """What the certificate states, and nothing more: no account, shifts or contacts."""
    certificate = certificates.find_certificate(code)
    if certificate is None:
        raise Http404(_("No certificate has this code. Check it against the paper."))
    return _noindex(
        TemplateResponse(request, "volunteers/certificate_check.html", {"certificate": certificate})
    )

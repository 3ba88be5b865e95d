"""Certificates of volunteer service: the PDF download (from the record page) and the public
verification page a certificate's QR code points at."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import User
from core.errors import ApplicationError, NotFound
from core.pages import error_page
from records import selectors, services
from records.pdf import render_certificates


def verification_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("certificate_verify", args=[code]))


def pdf_response(request, certificates) -> HttpResponse:
    """The PDF, named by its first code; shared by the page and the API."""
    body = render_certificates(certificates, lambda code: verification_url(request, code))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificates[0].code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def parse_community(raw) -> int | None:
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 12 else None


def download(request, user_id: int):
    """GET /volunteers/<id>/certificate/[?community=<id>]: the volunteer, or staff of a community
    they served; a refusal (nothing to certify) is a page that says so, never an empty PDF."""
    volunteer = User.objects.filter(pk=user_id, is_active=True).first()
    if volunteer is None or not request.user.is_authenticated:
        raise Http404
    try:
        certificates = services.certificate_issue(actor=request.user, volunteer=volunteer, community_id=parse_community(request.GET.get("community")))
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from None
        return error_page(request, exc)
    return pdf_response(request, certificates)


def verify(request, code: str):
    """Public: what a certificate certified on the day it was issued (the name partly masked)."""
    try:
        certificate = selectors.certificate_get_public(code)
    except NotFound:
        # Someone holding a paper certificate typed its code: tell them plainly that no certificate
        # has this code (and what to check), not the site's generic "page not found".
        return render(request, "records/certificate_not_found.html", {"code": code[:40]}, status=404)
    return render(request, "records/certificate_verify.html", {"certificate": certificate, "volunteer": services.mask_name(certificate.volunteer_name)})

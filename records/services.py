"""Certificates of volunteer service (志愿服务记录证明), issued on request, free of charge.

谁记录谁证明: a certificate is issued by the community where the services were recorded (the
tasks' community). A volunteer who served in several communities gets one certificate per
community (each with its own code; one PDF holds them all unless one community is asked for).
Every certificate is stored as issued (``Certificate``), so its code verifies what was certified
that day. See docs/records.md.
"""

import secrets
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Community, User
from accounts.selectors import staff_communities
from accounts.volunteers import volunteer_number_assign
from core.errors import Conflict, NotFound, PermissionDenied
from core.masking import mask_name
from orders.models import Claim
from records.lines import record_line
from records.models import Certificate
from records.selectors import record_visible_to, volunteer_record

__all__ = ["CERTIFICATE_MAX_LINES", "certificate_issue", "certificate_communities", "mask_name", "new_certificate_code"]

# The most services listed on one certificate, so it stays within two A4 pages; the totals always
# count every service, and the certificate says how many more there are.
CERTIFICATE_MAX_LINES = 45
# Crockford-like alphabet without 0/O, 1/I/L: 16 characters are 80 random bits, read aloud safely.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _issuer_name(community: Community) -> str:
    street = community.street
    return f"{street.district.name} {street.name} {community.name}"


def certificate_communities(*, actor: User, volunteer: User) -> list[Community]:
    """The communities that may certify this volunteer's service for this actor: those where the
    volunteer has verified service; for staff only those they staff."""
    served = Claim.objects.filter(user=volunteer, status=Claim.Status.VERIFIED).values("task__community_id")
    qs = Community.objects.filter(pk__in=served).select_related("street__district").order_by("name", "pk")
    if actor.pk != volunteer.pk and not actor.is_superuser:
        qs = qs.filter(pk__in=staff_communities(actor).values("community_id"))
    return list(qs)


def _may_request(actor: User, volunteer: User) -> bool:
    """The volunteer, the district admin, staff of a community where they are a member (who may read
    their record) or where they served."""
    if record_visible_to(volunteer, actor):
        return True
    served = Claim.objects.filter(user=volunteer, status=Claim.Status.VERIFIED).values("task__community_id")
    return staff_communities(actor).filter(community_id__in=served).exists()


def certificate_issue(*, actor: User, volunteer: User, community_id: int | None = None) -> list[Certificate]:
    """Issue the certificates of ``volunteer``'s verified service, one per community that recorded
    it (or only ``community_id``'s), in the active language. 404 ``user_not_found`` if the actor may
    not know the volunteer; 409 ``no_verified_service`` when there is nothing to certify (never an
    empty certificate); 403 ``not_community_staff`` when staff ask for another community's.
    Asking again the same day for an unchanged record returns the certificate already issued."""
    if not actor.is_authenticated or not volunteer.is_active or not _may_request(actor, volunteer):
        raise NotFound(_("No such volunteer."), code="user_not_found")
    communities = certificate_communities(actor=actor, volunteer=volunteer)
    if community_id is not None:
        chosen = [c for c in communities if c.pk == community_id]
        if not chosen:
            if actor.pk != volunteer.pk and not actor.is_superuser and not staff_communities(actor).filter(community_id=community_id).exists():
                raise PermissionDenied(_("Only the community that recorded a service certifies it."), code="not_community_staff")
            raise Conflict(_("There is no verified service in that community to certify."), code="no_verified_service")
        communities = chosen
    if not communities:
        raise Conflict(_("There is no verified service to certify yet."), code="no_verified_service")
    with transaction.atomic():
        number = volunteer_number_assign(user=volunteer)
        return [_issue_one(actor=actor, volunteer=volunteer, community=c, number=number) for c in communities]


def _issue_one(*, actor: User, volunteer: User, community: Community, number: str) -> Certificate:
    claims = volunteer_record(volunteer).filter(task__community=community)
    totals = claims.aggregate(services=Count("id"), hours=Sum("hours"), honour=Sum("honour_hours"), first=Min("task__starts_at"), last=Max("task__starts_at"))
    lines = [_snapshot(record_line(c)) for c in claims[:CERTIFICATE_MAX_LINES]]
    hours = Decimal(totals["hours"] or 0).quantize(Decimal("0.01"))
    honour = Decimal(totals["honour"] or 0).quantize(Decimal("0.01"))
    period_start, period_end = timezone.localtime(totals["first"]).date(), timezone.localtime(totals["last"]).date()
    language = translation.get_language() or "zh-hans"
    latest = Certificate.objects.filter(user=volunteer, community=community, language=language).first()
    if (
        latest is not None
        and timezone.localtime(latest.issued_at).date() == timezone.localdate()
        and (latest.services, latest.hours, latest.honour_hours, latest.lines) == (totals["services"], hours, honour, lines)
        and latest.volunteer_name == volunteer.shown_name
    ):
        return latest
    return Certificate.objects.create(
        code=new_certificate_code(),
        user=volunteer,
        community=community,
        issuer_name=_issuer_name(community),
        volunteer_name=volunteer.shown_name,
        volunteer_no=number,
        period_start=period_start,
        period_end=period_end,
        services=totals["services"],
        hours=hours,
        honour_hours=honour,
        lines=lines,
        language=language,
        issued_by=actor,
    )


def _snapshot(line: dict) -> dict:
    """A record line as stored on a certificate: JSON-safe, and only what a public document may show."""
    keep = ("date", "title", "place", "organiser", "category", "beneficiary_type", "hours", "honour_hours")
    return {k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v) for k, v in line.items() if k in keep}

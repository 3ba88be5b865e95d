"""Publishing policies and service items, recording funds and their spending, and taking and
answering supervision reports (监督举报).

Guarantees:
- a fund's spending lines never add up to more than its amount, whatever the race (the fund's row
  is locked while the sum is checked and the line written): 409 ``insufficient_funds``, nothing
  written;
- only the district admin publishes for the whole district; staff publish and answer for their
  own communities only;
- a report's status only moves along ALLOWED_TRANSITIONS, each move written to its history;
- the author of an anonymous report is kept but never logged, and never shown to staff (the
  selectors decide who reads it).
"""

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notices
from accounts.models import Community, Membership, User
from accounts.selectors import community_members, is_community_staff
from accounts.services import notify
from affairs.models import Fund, Policy, PolicyCategory, Report, ReportStatusChange, ServiceItem, SpendingLine
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.uploads import check_attachment

S = Report.Status
ALLOWED_TRANSITIONS = {
    S.RECEIVED: {S.IN_PROGRESS, S.RESOLVED, S.UNFOUNDED},
    S.IN_PROGRESS: {S.IN_PROGRESS, S.RESOLVED, S.UNFOUNDED},  # a further reply while still at it
    S.RESOLVED: set(),
    S.UNFOUNDED: set(),
}
MAX_AMOUNT = 10**12  # fen: ten billion yuan, far above any fund of a district


def _text(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Plain text, trimmed. HTML is kept as typed and shown as text by every page."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(_("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=field)
    if "\x00" in value:
        raise ValidationFailed(_("The text holds a character that cannot be stored."), code="null_character", field=field)
    return value


def _check_publisher(actor: User, community: Community | None) -> None:
    if community is None:
        if not (actor.is_authenticated and actor.is_superuser):
            raise PermissionDenied(_("Only the district admin publishes for the whole district."))
    elif not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can publish for it."))


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationFailed(_("The link must be a web address starting with http:// or https://."), code="invalid_url", field="url") from None
    return url


def policy_create(
    *, actor: User, title: str, category: str, issuer: str, summary: str, body: str = "", effective_at: date,
    community: Community | None = None, url: str = "", service_item: ServiceItem | None = None,
) -> Policy:
    """Publish a policy for a community (its staff) or the whole district (the district admin)."""
    _check_publisher(actor, community)
    if category not in PolicyCategory.values:
        raise ValidationFailed(_("Choose one of the categories."), code="invalid_category", field="category")
    if service_item is not None and service_item.community_id not in (None, getattr(community, "pk", None)):
        raise ValidationFailed(_("That service item belongs to another community."), code="invalid_service_item", field="service_item_id")
    return Policy.objects.create(
        title=_text(title, field="title", max_length=200), category=category, issuer=_text(issuer, field="issuer", max_length=120),
        summary=_text(summary, field="summary", max_length=500), body=_text(body, field="body", max_length=20000, required=False),
        effective_at=effective_at, url=_check_url(url), community=community, service_item=service_item, created_by=actor,
    )


def service_item_create(
    *, actor: User, name: str, category: str, where: str, how_to_apply: str, documents: str = "",
    community: Community | None = None, online_action: str = ServiceItem.OnlineAction.NONE,
) -> ServiceItem:
    """Publish a 便民服务事项 for a community (its staff) or the district (the district admin)."""
    _check_publisher(actor, community)
    if category not in PolicyCategory.values:
        raise ValidationFailed(_("Choose one of the categories."), code="invalid_category", field="category")
    if online_action not in ServiceItem.OnlineAction.values:
        raise ValidationFailed(_("Choose how to apply online."), code="invalid_online_action", field="online_action")
    return ServiceItem.objects.create(
        name=_text(name, field="name", max_length=120), category=category, where=_text(where, field="where", max_length=200),
        how_to_apply=_text(how_to_apply, field="how_to_apply", max_length=4000),
        documents=_text(documents, field="documents", max_length=2000, required=False),
        community=community, online_action=online_action, created_by=actor,
    )


def fund_create(*, actor: User, name: str, source: str, amount: int, year: int, community: Community | None = None) -> Fund:
    """Record a government or charity fund. Donations are not recorded here: they are the funds
    app's, and appear in the public list by themselves."""
    _check_publisher(actor, community)
    if source not in (Fund.Source.GOVERNMENT, Fund.Source.CHARITY):
        raise ValidationFailed(_("A fund comes from the government or from charity; donations are counted by themselves."),
                               code="invalid_source", field="source")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT:
        raise ValidationFailed(_("The amount must be a positive number of fen."), code="invalid_amount", field="amount")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed(_("Give a year between 2000 and 2100."), code="invalid_year", field="year")
    return Fund.objects.create(name=_text(name, field="name", max_length=120), source=source, amount=amount, year=year,
                               community=community, created_by=actor)


def fund_spent(fund: Fund) -> int:
    return fund.lines.aggregate(total=Sum("amount"))["total"] or 0


def spending_line_record(*, actor: User, fund: Fund, amount: int, what: str, at: date, project=None, voucher=None) -> SpendingLine:
    """Record one use of the fund's money, never past its amount (409 ``insufficient_funds``,
    nothing written). Staff of the fund's community, or the district admin."""
    if fund.community_id is None:
        if not (actor.is_authenticated and actor.is_superuser):
            raise PermissionDenied(_("Only the district admin records spending of a district fund."))
    elif not is_community_staff(actor, fund.community_id):
        raise PermissionDenied(_("Only staff of this community can record its spending."))
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT:
        raise ValidationFailed(_("The amount must be a positive number of fen."), code="invalid_amount", field="amount")
    what = _text(what, field="what", max_length=200)
    if project is not None and fund.community_id is not None and project.community_id != fund.community_id:
        raise ValidationFailed(_("That project belongs to another community."), code="invalid_project", field="project_id")
    if voucher:
        check_attachment(voucher, field="voucher")
    with transaction.atomic():
        # Two lines recorded at once must not both fit in the same remaining money: the fund's row
        # is locked (PostgreSQL: FOR UPDATE; SQLite: the IMMEDIATE transaction holds the write lock)
        # while the sum is read and the line written.
        Fund.objects.select_for_update().filter(pk=fund.pk).first()
        if fund_spent(fund) + amount > fund.amount:
            raise Conflict(_("That is more than is left in this fund."), code="insufficient_funds")
        return SpendingLine.objects.create(fund=fund, amount=amount, what=what, at=at, project=project, voucher=voucher or "", created_by=actor)


def _tracking_no() -> str:
    # 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L): read out over the phone.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "JB" + "".join(secrets.choice(alphabet) for _ in range(10))


def report_create(*, actor: User, community: Community, subject: str, text: str, anonymous: bool = False) -> Report:
    """Take a supervision report from a signed-in person; it starts ``received`` with a tracking
    number only its author knows."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please log in first."))
    subject = _text(subject, field="subject", max_length=120)
    text = _text(text, field="text", max_length=4000)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    community=community, subject=subject, text=text, anonymous=bool(anonymous), author=actor, tracking_no=_tracking_no()
                )
                ReportStatusChange.objects.create(report=report, actor=actor, from_status="", to_status=S.RECEIVED)
                params = {"community": community.name, "subject": subject[:60], "no": report.tracking_no}
                for membership in community_members(community, role=Membership.Role.STAFF).select_related("user"):
                    notify(user=membership.user, kind="report", code="report_received", params=params,
                           url=reverse("affairs:manage", args=[community.pk]))
                return report
        except IntegrityError:  # the same tracking number drawn twice: draw again
            continue
    raise Conflict(_("Please try again."), code="try_again")


def _check_handler(actor: User, report: Report) -> None:
    if not is_community_staff(actor, report.community_id):
        raise PermissionDenied(_("Only staff of this community or the district admin can answer this report."))


def report_reply(*, actor: User, report: Report, reply: str, status: str, public: bool = False) -> Report:
    """Answer a report and move it (received → in progress → resolved or unfounded), recording who
    moved it. A resolved or unfounded report is closed: 409 ``invalid_transition``."""
    _check_handler(actor, report)
    reply = _text(reply, field="reply", max_length=4000)
    if status not in (S.IN_PROGRESS, S.RESOLVED, S.UNFOUNDED):
        raise ValidationFailed(_("Choose in progress, resolved or unfounded."), code="invalid_status", field="status")
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report.pk)
        if status not in ALLOWED_TRANSITIONS[current.status]:
            raise Conflict(_("This report is closed."), code="invalid_transition")
        # The conditional update says which of two racing replies came first.
        moved = Report.objects.filter(pk=report.pk, status=current.status).update(
            status=status, reply=reply, public=bool(public), replied_at=timezone.now()
        )
        if not moved:
            raise Conflict(_("This report was answered meanwhile."), code="invalid_transition")
        ReportStatusChange.objects.create(report=current, actor=actor, from_status=current.status, to_status=status, note=reply[:200])
        if current.author_id:
            notify(user=current.author, kind="report", code="report_answered",
                   params={"no": current.tracking_no, "status": notices.label(S(status))},
                   url=reverse("affairs:report_track", args=[current.tracking_no]))
    report.refresh_from_db()
    return report


def report_escalate(*, actor: User, report: Report) -> Report:
    """Staff pass a report up to the district admin (it stays in its community's list)."""
    _check_handler(actor, report)
    if report.handled:
        raise Conflict(_("This report is closed."), code="invalid_transition")
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(escalated=True)
        ReportStatusChange.objects.create(report=report, actor=actor, from_status=report.status, to_status=report.status,
                                          note="escalated")  # a code, not a sentence: read in any language
        params = {"community": report.community.name, "subject": report.subject[:60], "no": report.tracking_no}
        for admin in User.objects.filter(is_superuser=True, is_active=True):
            notify(user=admin, kind="report", code="report_escalated", params=params, url=reverse("affairs:manage", args=[report.community_id]))
    report.refresh_from_db()
    return report

"""Pages for claims: take a slot, deliver, verify, review; my claims; the staff queue; records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import forms as account_forms
from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Community, Membership, Organization, User
from accounts.selectors import is_community_staff, staff_community_ids
from core.errors import ApplicationError, ValidationFailed
from core.exports import export
from core.pages import error_page, perform, safe_next
from marketplace import selectors as market_selectors
from marketplace import services as market_services
from marketplace.models import Task
from orders import selectors, services
from orders.models import Claim, Review
from orders.services.claims import CHECKIN_OPENS_BEFORE_START


# --- The task page: where a person claims, delivers, and staff verify ---------------------------
def task_detail(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    user = request.user
    is_staff = is_community_staff(user, task.community_id)
    my_claim = None
    can_claim = False
    my_orgs = []
    if user.is_authenticated:
        my_claim = Claim.objects.filter(task=task, user=user).order_by("-id").first()
        my_orgs = list(Organization.objects.filter(members__user=user, status=Organization.Status.VERIFIED))
        is_volunteer = Membership.objects.filter(user=user, community_id=task.community_id, role=Membership.Role.VOLUNTEER).exists()
        can_claim = (is_volunteer or my_orgs) and (my_claim is None or not my_claim.is_live)
    context = {
        "task": task,
        "is_staff": is_staff,
        "my_claim": my_claim,
        "can_claim": can_claim and task.status == Task.Status.OPEN and task.starts_at > timezone.now(),
        "my_orgs": my_orgs,
        "claims": task.claims.select_related("user", "organization").order_by("id") if is_staff else None,
        "checkin": market_services.task_checkin_code(actor=user, task=task) if is_staff and task.status not in ("draft", "cancelled") else None,
        "reviewable": (
            Claim.objects.filter(task=task, status=Claim.Status.VERIFIED, review__isnull=True).select_related("user")
            if user.is_authenticated and (task.beneficiary_id == user.pk or is_staff) and task.beneficiary_id
            else None
        ),
        "history": task.history.select_related("actor") if is_staff else None,
        "task_ended": task.ends_at <= timezone.now(),
        "status_labels": dict(Task.Status.choices),
        "checkin_open": task.starts_at - CHECKIN_OPENS_BEFORE_START <= timezone.now() <= task.ends_at,
        "checkin_opens_at": task.starts_at - CHECKIN_OPENS_BEFORE_START,
        "organiser": task.created_by,
        # The organiser's phone is for the people doing the task (and staff), not for every visitor.
        "show_contact": is_staff or (my_claim is not None and my_claim.is_live),
    }
    return render(request, "tasks/detail.html", context)


@login_required
@require_POST
def task_cancel(request, task_id: int):
    reason = request.POST.get("reason", "")[:200]
    task = market_selectors.task_get_for(request.user, task_id)
    return perform(
        request, lambda: services.task_cancel(actor=request.user, task=task, reason=reason), success=_("Task cancelled; claimants were told."),
        then=redirect("tasks:detail", task.pk),
    )


def _back_to(claim_or_task_id):
    return redirect("tasks:detail", claim_or_task_id)


@login_required
@require_POST
def claim(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    org_id = request.POST.get("organization") or None
    organization = None
    if org_id:
        organization = Organization.objects.filter(pk=org_id if str(org_id).isdigit() else 0).first()
        if organization is None:
            raise Http404
    return perform(
        request,
        lambda: services.claim_create(actor=request.user, task=task, organization=organization),
        success=_("You took a slot. Thank you! Check in on site with the code staff show."),
        then=_back_to(task.pk),
    )


def _claimant_action(request, claim_id: int, action, success: str):
    c = selectors.claim_get_for(request.user, claim_id)
    return perform(request, lambda: action(c), success=success, then=_back_to(c.task_id))


@login_required
def withdraw(request, claim_id: int):
    """GET asks "are you sure?" (a page of its own, so a thumb cannot withdraw by mistake);
    POST withdraws."""
    if request.method != "POST":
        c = selectors.claim_get_for(request.user, claim_id)
        if c.user_id != request.user.pk or c.status != Claim.Status.CLAIMED:
            return redirect("tasks:detail", c.task_id)
        return render(request, "claims/withdraw.html", {"claim": c, "task": c.task})
    return _claimant_action(request, claim_id, lambda c: services.claim_withdraw(actor=request.user, claim=c), _("Claim withdrawn; the slot is free again."))


@login_required
@require_POST
def check_in(request, claim_id: int):
    code = request.POST.get("code", "")
    return _claimant_action(request, claim_id, lambda c: services.claim_check_in(actor=request.user, claim=c, code=code), _("Checked in. Have a good service!"))


@login_required
@require_POST
def check_out(request, claim_id: int):
    code = request.POST.get("code", "")
    return _claimant_action(request, claim_id, lambda c: services.claim_check_out(actor=request.user, claim=c, code=code), _("Checked out."))


@login_required
@require_POST
def submit(request, claim_id: int):
    hours = request.POST.get("hours") or None
    note = request.POST.get("note", "")
    return _claimant_action(
        request, claim_id, lambda c: services.claim_submit(actor=request.user, claim=c, hours=hours, note=note), _("Submitted for verification.")
    )


@login_required
@require_POST
def verify(request, claim_id: int):
    hours = request.POST.get("hours") or None  # empty: the volunteer's claimed hours
    c = selectors.claim_get_for(request.user, claim_id)
    then = redirect(safe_next(request, f"/tasks/{c.task_id}/"))
    return perform(request, lambda: services.claim_verify(actor=request.user, claim=c, hours=hours), success=_("Verified; the points were paid."), then=then)


@login_required
@require_POST
def verify_many(request):
    """The queue's 审核通过 for the selected claims: each records its claimed hours."""
    ids = [i for i in request.POST.getlist("claim") if i.isdigit()]
    try:
        verified, skipped = services.claims_verify_many(actor=request.user, claim_ids=ids)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("claims:queue")
    if verified:
        messages.success(
            request, ngettext("%(n)d claim verified; the points were paid.", "%(n)d claims verified; the points were paid.", len(verified)) % {"n": len(verified)}
        )
    for s in skipped:
        messages.error(request, _("Claim #%(id)d was not verified: %(reason)s") % {"id": s["id"], "reason": s["message"]})
    return redirect("claims:queue")


@login_required
@require_POST
def reject(request, claim_id: int):
    reason = request.POST.get("reason", "")
    c = selectors.claim_get_for(request.user, claim_id)
    then = redirect(safe_next(request, f"/tasks/{c.task_id}/"))
    return perform(request, lambda: services.claim_reject(actor=request.user, claim=c, reason=reason), success=_("Claim rejected."), then=then)


@login_required
@require_POST
def review(request, claim_id: int):
    c = selectors.claim_get_for(request.user, claim_id)
    raw = request.POST.get("stars", "")
    stars = int(raw) if raw.isdigit() else 0
    comment = request.POST.get("comment", "")
    return perform(
        request, lambda: services.review_create(actor=request.user, claim=c, stars=stars, comment=comment), success=_("Thank you for your review."), then=_back_to(c.task_id)
    )


@login_required
def rate(request, claim_id: int):
    """A small page for the beneficiary's phone, linked from the notification: an optional comment
    and five large star buttons; one tap on a star sends the review."""
    c = selectors.claim_get_for(request.user, claim_id)
    try:
        on_behalf = services.review_check_author(actor=request.user, claim=c)
    except ApplicationError as exc:
        return error_page(request, exc)
    if request.method == "POST":
        raw = request.POST.get("stars", "")
        stars = int(raw) if raw.isdigit() else 0
        comment = request.POST.get("comment", "")
        return perform(
            request,
            lambda: services.review_create(actor=request.user, claim=c, stars=stars, comment=comment),
            success=_("Thank you for your review."),
            then=redirect("claims:rate", c.pk),
        )
    context = {"claim": c, "on_behalf": on_behalf, "review": Review.objects.filter(claim=c).first(), "stars": range(1, 6)}
    return render(request, "claims/rate.html", context)


@login_required
@require_POST
def hide_review(request, review_id: int):
    r = get_object_or_404(Review.objects.select_related("claim__task", "contract__project"), pk=review_id)
    reason = request.POST.get("reason", "")
    then = _back_to(r.claim.task_id) if r.claim_id else redirect("projects:detail", r.contract.project_id)
    return perform(request, lambda: services.review_hide(actor=request.user, review=r, reason=reason), success=_("Review hidden."), then=then)


@login_required
def my_claims(request):
    try:
        claims = selectors.claim_list(viewer=request.user, filters=request.GET, own_only=True)
    except ValidationFailed as exc:
        return error_page(request, exc)
    page = Paginator(claims, 20).get_page(request.GET.get("page"))
    return render(request, "claims/mine.html", {"page": page})


@login_required
def queue(request):
    """Staff's queue: submitted claims of their communities, oldest first."""
    communities = Community.objects.values_list("pk", flat=True) if request.user.is_superuser else staff_community_ids(request.user)
    claims = selectors.review_queue(list(communities))
    page = Paginator(claims, 30).get_page(request.GET.get("page"))
    return render(request, "claims/queue.html", {"page": page})


def record(request, user_id: int):
    """A volunteer's verified service with totals: printable, and as CSV (UTF-8 with BOM for Excel)."""
    volunteer = User.objects.filter(pk=user_id, is_active=True).first()
    if volunteer is None or not selectors.record_visible_to(volunteer, request.user):
        raise Http404
    lines = selectors.volunteer_record(volunteer)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        header = [_("Date"), _("Task"), _("Community"), _("Hours recorded"), _("Honour hours"), _("Points")]
        rows = (
            [timezone.localtime(c.task.starts_at).strftime("%Y-%m-%d"), c.task.title, c.task.community.name, c.hours, c.honour_hours, c.points_awarded]
            for c in lines.iterator(chunk_size=500)
        )
        return export(fmt, f"volunteer-record-{volunteer.pk}", header, rows, title="record")
    context = {
        "volunteer": volunteer,
        "lines": lines,
        "totals": selectors.volunteer_record_totals(volunteer),
        "reputation": selectors.provider_reputation(user=volunteer),
        "now": timezone.now(),
    }
    return render(request, "claims/record.html", context)


def organization_detail(request, organization_id: int):
    org = account_selectors.organization_get_for(request.user, organization_id)
    user = request.user
    is_admin = user.is_authenticated and (user.is_superuser or account_selectors.is_organization_admin(user, org.pk))
    context = {
        "org": org,
        "members": account_selectors.organization_members(org),
        "can_review": account_services.can_review_organization(user, org),
        "is_admin": is_admin,
        "suspend_form": account_forms.SuspendForm(),
        "member_form": account_forms.OrganizationMemberForm(),
        "history": org.status_changes.select_related("actor"),
        "reputation": selectors.provider_reputation(organization=org),
    }
    return render(request, "organizations/detail.html", context)

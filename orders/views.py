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

from accounts.models import Organization, User
from accounts.selectors import user_notifications
from accounts.services import notifications_mark_read
from config.errors import ApplicationError, NotFound, ValidationFailed
from config.exports import export
from config.pages import error_page, perform
from marketplace.selectors import task_get
from orders import selectors, services
from orders.models import Claim, Review


def _back_to(claim_or_task_id):
    return redirect("tasks:detail", claim_or_task_id)


def _claim_for(request, claim_id: int) -> Claim:
    try:
        return selectors.claim_get_for(claim_id, request.user)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def claim(request, task_id: int):
    task = task_get(task_id, viewer=request.user)
    if task is None:
        raise Http404
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
    c = _claim_for(request, claim_id)
    return perform(request, lambda: action(c), success=success, then=_back_to(c.task_id))


@login_required
@require_POST
def withdraw(request, claim_id: int):
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
    c = _claim_for(request, claim_id)
    then = redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/") else f"/tasks/{c.task_id}/")
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
    c = _claim_for(request, claim_id)
    then = redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/") else f"/tasks/{c.task_id}/")
    return perform(request, lambda: services.claim_reject(actor=request.user, claim=c, reason=reason), success=_("Claim rejected."), then=then)


@login_required
@require_POST
def review(request, claim_id: int):
    c = _claim_for(request, claim_id)
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
    c = _claim_for(request, claim_id)
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
    r = get_object_or_404(Review.objects.select_related("claim__task"), pk=review_id)
    reason = request.POST.get("reason", "")
    return perform(request, lambda: services.review_hide(actor=request.user, review=r, reason=reason), success=_("Review hidden."), then=_back_to(r.claim.task_id))


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
    communities = request.user.memberships.filter(role="staff").values_list("community_id", flat=True)
    if request.user.is_superuser:
        from accounts.models import Community

        communities = Community.objects.values_list("pk", flat=True)
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


@login_required
def notifications(request):
    if request.method == "POST":
        notifications_mark_read(actor=request.user)
        messages.success(request, _("All marked as read."))
        return redirect("notifications")
    page = Paginator(user_notifications(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications.html", {"page": page})



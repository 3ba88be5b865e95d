"""Pages of claims: take a slot, withdraw, check in and out, submit, confirm, verify (one or many), reject;
the volunteer's claims and the staff's queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Community, Organization
from accounts.selectors import staff_community_ids
from core.errors import ApplicationError, ValidationFailed
from core.masking import mask_name
from core.pagecache import personal_page
from core.pages import error_page, perform, safe_next
from marketplace import selectors as market_selectors
from orders import selectors, services
from orders.filters import ClaimFilter
from orders.models import Claim

__all__ = ["back_to", "claim", "withdraw", "check_in", "check_out", "submit", "confirm", "verify", "verify_many", "reject", "my_claims", "queue"]


def back_to(claim_or_task_id):
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
        then=back_to(task.pk),
    )


def _claimant_action(request, claim_id: int, action, success: str):
    c = selectors.claim_get_for(request.user, claim_id)
    return perform(request, lambda: action(c), success=success, then=back_to(c.task_id))


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
    card = request.POST.get("beneficiary_code", "")[:40]
    return _claimant_action(
        request, claim_id, lambda c: services.claim_check_out(actor=request.user, claim=c, code=code, beneficiary_code=card), _("Checked out.")
    )


@login_required
@require_POST
def submit(request, claim_id: int):
    hours = request.POST.get("hours") or None
    note = request.POST.get("note", "")
    card = request.POST.get("beneficiary_code", "")[:40]
    return _claimant_action(
        request,
        claim_id,
        lambda c: services.claim_submit(actor=request.user, claim=c, hours=hours, note=note, beneficiary_code=card),
        _("Submitted for verification."),
    )


@login_required
def confirm(request, claim_id: int):
    """A one-tap page for the person served (or their guardian), linked from the notification;
    staff confirm here on the person's behalf with a consent note, the volunteer with the card's code."""
    c = selectors.claim_get_for(request.user, claim_id)
    try:
        method = services.confirmation_method_for(actor=request.user, claim=c, beneficiary_code="-")
    except ApplicationError as exc:
        return error_page(request, exc)
    if request.method == "POST":
        note = request.POST.get("consent_note", "")
        card = request.POST.get("beneficiary_code", "")[:40]
        answer = request.POST.get("answer", "done")[:10]
        comment = request.POST.get("comment", "")[:500]

        def act():
            claim, already = services.claim_confirm(
                actor=request.user, claim=c, consent_note=note, beneficiary_code=card, answer=answer, comment=comment
            )
            if already:  # perform() shows this instead of the success message
                claim.message = _("This service was already answered; nothing changed.")
            return claim

        success = _("Thank you: the service is confirmed.") if answer == "done" else _("Thank you: community staff will look into it.")
        return perform(request, act, success=success, then=redirect("claims:confirm", c.pk))
    context = {
        "claim": c, "method": method, "beneficiary": mask_name(c.task.beneficiary.shown_name) if c.task.beneficiary_id else "",
        "too_early": timezone.now() < c.task.starts_at,
    }
    return render(request, "claims/confirm.html", context)


@login_required
@require_POST
def verify(request, claim_id: int):
    hours = request.POST.get("hours") or None  # empty: the volunteer's claimed hours
    c = selectors.claim_get_for(request.user, claim_id)
    then = redirect(safe_next(request, f"/tasks/{c.task_id}/"))
    reason = request.POST.get("settle_reason", "")[:200]  # a disputed claim needs staff's reason
    return perform(
        request, lambda: services.claim_verify(actor=request.user, claim=c, hours=hours, settle_reason=reason), success=_("Verified; the points were paid."), then=then
    )


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
@personal_page(params=(*ClaimFilter.base_filters, "page"))
def my_claims(request):
    try:
        claims = selectors.claim_list(viewer=request.user, filters=request.GET, own_only=True)
    except ValidationFailed as exc:
        return error_page(request, exc)
    # The verified ones show their last correction: one query for the page, not one per claim.
    # Only what the page shows (a row with every column of the claim, its task, its person and
    # their organisation cost more to build than to draw): the claim, its task's title, start and
    # community's name.
    claims = (
        claims.select_related(None)
        .select_related("task__community")
        .only(
            "id", "task_id", "status", "hours", "points_awarded", "reject_reason", "created_at",
            "task__id", "task__title", "task__starts_at", "task__community_id", "task__community__id", "task__community__name",
        )
        .prefetch_related("corrections")
    )
    page = Paginator(claims, 20).get_page(request.GET.get("page"))
    return render(request, "claims/mine.html", {"page": page})


@login_required
def queue(request):
    """Staff's queue: submitted claims of their communities, oldest first."""
    communities = Community.objects.values_list("pk", flat=True) if request.user.is_superuser else staff_community_ids(request.user)
    communities = list(communities)
    community = None
    chosen = request.GET.get("community", "")
    # ?community=<id> (the workbench's link) narrows the queue to one community the person staffs.
    if chosen.isdigit() and int(chosen) in communities:
        community = Community.objects.get(pk=int(chosen))
        communities = [community.pk]
    claims = selectors.review_queue(communities)
    page = Paginator(claims, 30).get_page(request.GET.get("page"))
    return render(request, "claims/queue.html", {"page": page, "community": community})

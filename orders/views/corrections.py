"""Corrections of the hours of a verified claim: asked by the volunteer, decided by staff."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community
from accounts.selectors import staff_community_ids
from core.pages import perform, safe_next
from orders import selectors, services

__all__ = ["correction_request", "corrections", "correction_decide"]


@login_required
@require_POST
def correction_request(request, claim_id: int):
    """The volunteer's 申请更正 on a verified claim (task page, my claims)."""
    c = selectors.claim_get_for(request.user, claim_id)
    hours = request.POST.get("hours") or None
    reason = request.POST.get("reason", "")
    then = redirect(safe_next(request, f"/tasks/{c.task_id}/"))
    return perform(
        request,
        lambda: services.correction_request(actor=request.user, claim=c, hours=hours, reason=reason),
        success=_("Your correction was sent to the community staff."),
        then=then,
    )


@login_required
def corrections(request):
    """Staff's list of corrections waiting in their communities, oldest first."""
    communities = Community.objects.values_list("pk", flat=True) if request.user.is_superuser else staff_community_ids(request.user)
    page = Paginator(selectors.corrections_pending(list(communities)), 30).get_page(request.GET.get("page"))
    return render(request, "claims/corrections.html", {"page": page})


@login_required
@require_POST
def correction_decide(request, correction_id: int):
    k = selectors.correction_get_for(request.user, correction_id)
    approve = request.POST.get("approve") == "1"
    reply = request.POST.get("reply", "")
    return perform(
        request,
        lambda: services.correction_decide(actor=request.user, correction=k, approve=approve, reply=reply),
        success=_("Correction approved; the hours recorded were changed.") if approve else _("Correction refused; the volunteer was told."),
        then=redirect("claims:corrections"),
    )

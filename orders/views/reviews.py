"""Pages of reviews of a service: write one, rate it in stars, hide one (staff)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.masking import mask_name
from core.pages import error_page, perform
from orders import selectors, services
from orders.models import Review
from orders.views.claims import back_to

__all__ = ["review", "rate", "STAR_WORDS", "hide_review"]


@login_required
@require_POST
def review(request, claim_id: int):
    c = selectors.claim_get_for(request.user, claim_id)
    raw = request.POST.get("stars", "")
    stars = int(raw) if raw.isdigit() else 0
    comment = request.POST.get("comment", "")
    note = request.POST.get("consent_note", "")
    return perform(
        request,
        lambda: services.review_create(actor=request.user, claim=c, stars=stars, comment=comment, consent_note=note),
        success=_("Thank you for your review."),
        then=back_to(c.task_id),
    )


@login_required
def rate(request, claim_id: int):
    """A small page for the beneficiary's phone, linked from the notification: five large star
    choices (a tap picks, never sends), an optional comment, and one button that sends."""
    c = selectors.claim_get_for(request.user, claim_id)
    try:
        on_behalf = services.review_check_author(actor=request.user, claim=c)
    except ApplicationError as exc:
        return error_page(request, exc)
    if request.method == "POST":
        raw = request.POST.get("stars", "")
        stars = int(raw) if raw.isdigit() else 0
        comment = request.POST.get("comment", "")
        note = request.POST.get("consent_note", "")
        return perform(
            request,
            lambda: services.review_create(actor=request.user, claim=c, stars=stars, comment=comment, consent_note=note),
            success=_("Thank you for your review."),
            then=redirect("claims:rate", c.pk),
        )
    context = {
        "claim": c,
        "on_behalf": on_behalf,
        "beneficiary": mask_name(c.task.beneficiary.shown_name),
        "review": Review.objects.filter(claim=c).first(),
        # Picked, seen, then sent: each choice shows as many filled stars as it gives, and a word.
        "stars": [(n, "★" * n, "☆" * (5 - n), word) for n, word in enumerate(STAR_WORDS, start=1)],
    }
    return render(request, "claims/rate.html", context)


STAR_WORDS = [_lazy("Poor"), _lazy("Not good"), _lazy("OK"), _lazy("Good"), _lazy("Very good")]


@login_required
@require_POST
def hide_review(request, review_id: int):
    r = get_object_or_404(Review.objects.select_related("claim__task", "contract__project"), pk=review_id)
    reason = request.POST.get("reason", "")
    then = back_to(r.claim.task_id) if r.claim_id else redirect("projects:detail", r.contract.project_id)
    return perform(request, lambda: services.review_hide(actor=request.user, review=r, reason=reason), success=_("Review hidden."), then=then)

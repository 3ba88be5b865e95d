"""Pages for consultations (协商议事): list, open, vote, comment, decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Membership
from accounts.selectors import community_get_for, is_community_staff
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.pages import add_error_to_form, error_page, perform
from marketplace import forms, selectors, services
from marketplace.models import Comment, ConsultationCategory, ConsultationOption


def listing(request, community_id: int):
    community = community_get_for(request.user, community_id)
    consultations = selectors.consultation_list(filters={"community": community.pk})
    context = {"community": community, "consultations": consultations, "is_staff": is_community_staff(request.user, community.pk), "now": timezone.now()}
    return render(request, "consultations/list.html", context)


@login_required
def create(request, community_id: int):
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can open a consultation.")))
    need = None
    if request.GET.get("need", "").isdigit() or request.POST.get("need", "").isdigit():
        try:
            need = selectors.need_get_for(request.user, int(request.GET.get("need") or request.POST.get("need")))
        except NotFound:
            need = None  # a need the person may not see is not linked; the consultation opens alone
    form = forms.ConsultationForm(request.POST or None, initial={"title": need.title if need else ""})
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_open(
                actor=request.user,
                community=community,
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"] or ConsultationCategory.OTHER,
                description=form.cleaned_data["description"],
                options=form.option_list(),
                closes_at=form.cleaned_data["closes_at"],
                need=need,
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Consultation opened."))
            return redirect("consultations:detail", consultation.pk)
    context = {"form": form, "community": community, "need": need}
    return render(request, "consultations/form.html", context, status=400 if form.errors else 200)


def detail(request, consultation_id: int):
    consultation = selectors.consultation_get_for(request.user, consultation_id)
    user = request.user
    is_staff = is_community_staff(user, consultation.community_id)
    is_resident = user.is_authenticated and Membership.objects.filter(
        user=user, community_id=consultation.community_id, role=Membership.Role.RESIDENT
    ).exists()
    context = {
        "c": consultation,
        "is_open": consultation.is_open(),
        "is_staff": is_staff,
        "is_resident": is_resident,
        "options": consultation.options.all(),
        "results": selectors.consultation_results(consultation),
        "my_vote": selectors.my_vote(consultation, user),
        "comments": selectors.visible_comments(consultation),
    }
    return render(request, "consultations/detail.html", context)


@login_required
@require_POST
def vote(request, consultation_id: int):
    consultation = selectors.consultation_get_for(request.user, consultation_id)
    raw = request.POST.get("option", "")
    option = ConsultationOption.objects.filter(pk=int(raw) if raw.isdigit() else 0, consultation=consultation).first()
    then = redirect("consultations:detail", consultation.pk)
    if option is None:
        messages.error(request, _("Choose one of the options."))
        return then
    return perform(request, lambda: services.consultation_vote(actor=request.user, consultation=consultation, option=option), success=_("Your vote is counted. You may change it until voting closes."), then=then)


@login_required
@require_POST
def comment(request, consultation_id: int):
    consultation = selectors.consultation_get_for(request.user, consultation_id)
    body = request.POST.get("body", "")
    return perform(request, lambda: services.consultation_comment(actor=request.user, consultation=consultation, body=body), success=_("Comment posted."), then=redirect("consultations:detail", consultation.pk))


@login_required
@require_POST
def hide_comment(request, comment_id: int):
    c = get_object_or_404(Comment.objects.select_related("consultation"), pk=comment_id)
    reason = request.POST.get("reason", "")
    return perform(request, lambda: services.comment_hide(actor=request.user, comment=c, reason=reason), success=_("Comment hidden."), then=redirect("consultations:detail", c.consultation_id))


@login_required
@require_POST
def decide(request, consultation_id: int):
    consultation = selectors.consultation_get_for(request.user, consultation_id)
    decision = request.POST.get("decision", "")
    return perform(request, lambda: services.consultation_decide(actor=request.user, consultation=consultation, decision=decision), success=_("Decision recorded."), then=redirect("consultations:detail", consultation.pk))

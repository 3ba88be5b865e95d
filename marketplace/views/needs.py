"""Pages for needs: submit, my needs and the triage queue, a need's page, the public feedback board."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.selectors import community_get_for, is_community_staff, is_guardian_of, user_memberships, ward_get_for, wards_of
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.masking import mask_name
from core.pages import add_error_to_form, error_page, perform
from core.paging import page_of
from marketplace import forms, selectors, services
from marketplace.models import Need


@login_required
def submit(request, community_id: int):
    community = community_get_for(request.user, community_id)
    on_behalf = request.GET.get("for", "")
    resident = None
    if on_behalf.isdigit() and is_community_staff(request.user, community.pk):
        resident = User.objects.filter(pk=int(on_behalf), memberships__community=community, memberships__role="resident").first()
    assisted = on_behalf != "" or "on_behalf_of" in request.POST or "on_behalf_of_id" in request.POST
    form = forms.NeedForm(
        request.POST or None, initial={"on_behalf_of": resident} if resident else None, assisted=assisted, viewer=request.user, community=community
    )
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_submit(actor=request.user, community=community, **form.service_arguments())
        except ApplicationError as exc:
            if exc.status == 403:
                return error_page(request, exc)
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Thank you. Community staff will look at your need and reply here."))
            return redirect("needs:detail", need.pk)
    return render(request, "needs/form.html", {"form": form, "community": community}, status=400 if form.errors else 200)


@login_required
def mine(request):
    """A resident's own needs; for staff also their communities' triage queue."""
    try:
        needs = selectors.need_list(viewer=request.user, filters=request.GET).prefetch_related("tasks")
    except ValidationFailed as exc:
        return error_page(request, exc)
    page = page_of(request, needs)
    # Where this person may post a need: every community they belong to (one button each).
    post_in = list({m.community_id: m.community for m in user_memberships(request.user)}.values())
    wards = list(wards_of(request.user))  # the people who named this person their guardian (#22)
    for link in wards:
        link.masked_name = mask_name(link.resident.shown_name)
    context = {
        "page": page, "statuses": Need.Status.choices, "tracks": Need.Track.choices, "params": request.GET, "post_in": post_in, "wards": wards
    }
    return render(request, "needs/list.html", context)


@login_required
def ward(request, user_id: int):
    """A guardian reads the needs of the person they look after, and staff's replies (#22)."""
    person = ward_get_for(request.user, user_id)
    page = page_of(request, selectors.ward_needs(viewer=request.user, ward=person))
    return render(request, "needs/ward.html", {"person": person, "masked_name": mask_name(person.shown_name), "page": page})


def detail(request, need_id: int):
    need = selectors.need_get_for(request.user, need_id)
    user = request.user
    is_staff = is_community_staff(user, need.community_id)
    is_author = user.is_authenticated and need.author_id == user.pk
    is_guardian = not is_author and is_guardian_of(user, need.author_id)
    context = {
        "is_guardian": is_guardian,
        "masked_author": mask_name(need.author.shown_name) if is_guardian else "",
        "need": need,
        "author_name": selectors.need_author_name_for(need, user),
        "is_staff": is_staff,
        "is_author": is_author,
        "show_details": selectors.need_details_visible_to(need, user),
        "tasks": need.tasks.all(),
        "consultations": need.consultations.all(),
        "organizations": need.suggested_organizations.all(),
        "history": need.history.select_related("actor") if (is_staff or is_author or is_guardian) else None,
        "triage_form": forms.TriageForm(
            initial={"track": need.track or "minor", "reply": need.reply, "department": need.department}, auto_id="triage_%s"
        ) if is_staff else None,
        "reply_form": forms.ReplyForm() if is_staff else None,
    }
    return render(request, "needs/detail.html", context)


@login_required
@require_POST
def triage(request, need_id: int):
    need = selectors.need_get_for(request.user, need_id)
    form = forms.TriageForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    return perform(
        request,
        lambda: services.need_triage(
            actor=request.user,
            need=need,
            track=data.get("track", request.POST.get("track", "")),
            reply=data.get("reply", request.POST.get("reply", "")),
            department=data.get("department", ""),
            organizations=list(data.get("organizations") or []),
        ),
        success=_("Triaged; the resident was told."),
        then=redirect("needs:detail", need.pk),
    )


@login_required
def to_task(request, need_id: int):
    """Staff turn a need into a task, starting from a form filled in from the need."""
    need = selectors.need_get_for(request.user, need_id)
    if not is_community_staff(request.user, need.community_id):
        # The author sees the need, so it is no secret: refuse as the API does (need_create_task).
        return error_page(request, PermissionDenied(_("Only staff of this community can handle its needs.")))
    initial = {"title": need.title, "description": need.description, "category": need.category, "beneficiary": ""}
    form = forms.TaskForm(request.POST or None, initial=initial, viewer=request.user, community=need.community)
    form.fields.pop("draft")
    if request.method == "POST" and form.is_valid_for(need.community):
        try:
            task = services.need_create_task(actor=request.user, need=need, fields=form.to_fields())
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Task posted from the need."))
            return redirect("tasks:detail", task.pk)
    context = {"form": form, "community": need.community, "need": need}
    return render(request, "tasks/form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def resolve(request, need_id: int):
    need = selectors.need_get_for(request.user, need_id)
    reply = request.POST.get("reply", "")
    return perform(request, lambda: services.need_resolve(actor=request.user, need=need, reply=reply), success=_("Need resolved."), then=redirect("needs:detail", need.pk))


@login_required
@require_POST
def close(request, need_id: int):
    need = selectors.need_get_for(request.user, need_id)
    reply = request.POST.get("reply", "")
    return perform(request, lambda: services.need_close(actor=request.user, need=need, reply=reply), success=_("Need closed."), then=redirect("needs:detail", need.pk))


def board(request, community_id: int | None = None):
    """The public feedback board: the story's figures, and resolved needs with their replies."""
    community = None
    if community_id is not None:
        community = community_get_for(request.user, community_id)
    resolved = page_of(request, selectors.resolved_needs(community=community, viewer=request.user))
    for need in resolved:
        need.shown_author_name = selectors.need_author_name_for(need, request.user)
    context = {"community": community, "figures": selectors.needs_board(community=community), "page": resolved}
    return render(request, "needs/board.html", context)

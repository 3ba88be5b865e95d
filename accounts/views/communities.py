"""Community pages: the list, creating one, its page, joining, adding members, finding a resident;
invitations to join."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import forms, selectors, services
from accounts.models import CommunityInvitation, Membership
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.pages import add_error_to_form, error_page
from core.paging import page_of


# --- Communities ---------------------------------------------------------------------------------
def community_list(request):
    try:
        communities = selectors.community_list(filters=request.GET)
    except ValidationFailed as exc:
        return error_page(request, exc)
    page = page_of(request, communities, long=True)
    return render(request, "communities/list.html", {"page": page, "q": request.GET.get("q", "")})


@login_required
def community_create(request):
    form = forms.CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            if exc.status == 403:
                return error_page(request, exc)
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Community created."))
            return redirect("communities:detail", community.pk)
    elif not request.user.is_superuser:
        return error_page(request, PermissionDenied(_("Only the district administrator can create communities.")))
    return render(request, "communities/form.html", {"form": form}, status=400 if form.errors else 200)


def community_detail(request, community_id: int, *, member_form=None, find_form=None, status: int = 200):
    community = selectors.community_get_for(request.user, community_id)
    user = request.user
    my_roles = set()
    is_staff = False
    if user.is_authenticated:
        my_roles = set(Membership.objects.filter(user=user, community=community).values_list("role", flat=True))
        is_staff = selectors.is_community_staff(user, community.pk)
    context = {
        "community": community,
        "my_roles": my_roles,
        "is_staff": is_staff,
        "joinable_roles": [(r, label) for r, label in Membership.Role.choices if r != Membership.Role.STAFF and r not in my_roles],
        "staff_members": selectors.community_members(community, role=Membership.Role.STAFF),
        "members": selectors.community_members(community) if is_staff else None,
        "member_form": (member_form or forms.MemberAddForm(viewer=user)) if is_staff else None,
        "find_form": (find_form or forms.ResidentFindForm(viewer=user, community=community)) if is_staff else None,
        "counts": selectors.community_role_counts(community),
    }
    return render(request, "communities/detail.html", context, status=status)


@login_required
@require_POST
def community_join(request, community_id: int):
    community = selectors.community_get_for(request.user, community_id)
    form = forms.JoinForm(request.POST)
    role = form.data.get("role", "")
    try:
        membership = services.membership_join(actor=request.user, community=community, role=role)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("communities:detail", community.pk) if exc.status == 409 else error_page(request, exc)
    messages.success(request, _("You joined %(community)s as %(role)s.") % {"community": community.name, "role": membership.get_role_display()})
    return redirect("communities:detail", community.pk)


@login_required
@require_POST
def community_member_add(request, community_id: int):
    community = selectors.community_get_for(request.user, community_id)
    if not selectors.is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can add its members.")))
    form = forms.MemberAddForm(request.POST, viewer=request.user)
    if form.is_valid():
        user, name = form.cleaned_data["person"], form.fields["person"].found.name
        try:
            added = services.membership_add(actor=request.user, community=community, user=user, role=form.cleaned_data["role"])
        except ApplicationError as exc:
            if exc.status == 403:
                return error_page(request, exc)
            add_error_to_form(form, exc)
        else:
            if isinstance(added, CommunityInvitation):
                messages.success(
                    request,
                    _("%(user)s was invited as %(role)s and becomes a member on accepting.")
                    % {"user": name, "role": added.get_role_display()},
                )
            else:
                messages.success(request, _("%(user)s added as %(role)s.") % {"user": name, "role": added.get_role_display()})
            return redirect("communities:detail", community.pk)
    # The page again, with the form as typed: its errors, or the people to choose between.
    return community_detail(request, community.pk, member_form=form, status=400)


@login_required
def resident_find(request, community_id: int):
    """The record of the resident staff looked up (by name, phone tail or volunteer number); when
    several match, the community page with the choice."""
    community = selectors.community_get_for(request.user, community_id)
    if not selectors.is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can do this.")))
    form = forms.ResidentFindForm(request.GET or None, viewer=request.user, community=community)
    if form.is_valid() and form.cleaned_data["person"] is not None:
        return redirect("resident_record", community.pk, form.cleaned_data["person"].pk)
    return community_detail(request, community.pk, find_form=form, status=400 if form.errors else 200)


# --- Invitations into communities --------------------------------------------------------------
@login_required
def invitations(request):
    return render(request, "accounts/invitations.html", {"invitations": selectors.user_pending_invitations(request.user)})


@login_required
@require_POST
def invitation_accept(request, invitation_id: int):
    try:
        membership = services.invitation_accept(actor=request.user, invitation_id=invitation_id)
    except ApplicationError as exc:
        if exc.status == 409:
            messages.error(request, str(exc.message))
            return redirect("accounts:invitations")
        return error_page(request, exc)
    messages.success(
        request,
        _("You joined %(community)s as %(role)s.") % {"community": membership.community.name, "role": membership.get_role_display()},
    )
    return redirect("communities:detail", membership.community_id)


@login_required
@require_POST
def invitation_decline(request, invitation_id: int):
    try:
        services.invitation_decline(actor=request.user, invitation_id=invitation_id)
    except ApplicationError as exc:
        if exc.status == 409:
            messages.error(request, str(exc.message))
            return redirect("accounts:invitations")
        return error_page(request, exc)
    messages.success(request, _("Invitation declined."))
    return redirect("accounts:invitations")

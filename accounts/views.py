"""Pages for accounts, communities and organisations. They parse forms, call services, render."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import forms, people, selectors, services
from accounts.models import CommunityInvitation, Membership, Organization
from accounts.selectors import user_notifications
from accounts.services import notifications_mark_read
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.pages import add_error_to_form, error_page
from core.paging import page_of
from core.ratelimit import check as rate_limit


def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST":
        try:
            rate_limit(request, "register")
        except ApplicationError as exc:
            return error_page(request, exc)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Join a community to take part."))
            return redirect("communities:list")
    status = 400 if form.errors else 200
    return render(request, "accounts/register.html", {"form": form}, status=status)


@login_required
def password_change(request):
    """The same service as ``POST /api/v1/me/password``: every API token and every other session
    of the person ends; this browser stays logged in."""
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user, old_password=form.cleaned_data["old_password"], new_password=form.cleaned_data["new_password"]
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed. You were logged out everywhere else."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with the project's templates and mail (the same as
    ``POST /api/v1/auth/password-reset``), limited per address like registration."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = services.RESET_EMAIL_TEMPLATE
    subject_template_name = services.RESET_SUBJECT_TEMPLATE
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return services.reset_email_context()

    def post(self, request, *args, **kwargs):
        try:
            rate_limit(request, "password_reset")
        except ApplicationError as exc:
            return error_page(request, exc)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def profile(request):
    user = request.user
    initial = {
        "display_name": user.display_name,
        "phone": user.phone,
        "bio": user.bio,
        "email": user.email,
        "skills": ", ".join(user.skills.values_list("name", flat=True)),
    }
    form = forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                actor=user,
                display_name=form.cleaned_data["display_name"],
                phone=form.cleaned_data["phone"],
                bio=form.cleaned_data["bio"],
                skills=form.skill_list(),
                email=form.cleaned_data["email"],
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    context = {
        "form": form,
        "memberships": selectors.user_memberships(user),
        "org_memberships": selectors.user_organization_memberships(user),
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


# --- Login lockouts --------------------------------------------------------------------------------
@login_required
def lockouts(request):
    """Community staff see which of their members are locked out of logging in, and unlock them."""
    if not selectors.is_any_staff(request.user):
        return error_page(request, PermissionDenied(_("Only community staff can see locked-out accounts.")))
    context = {"accounts": selectors.locked_out_accounts(request.user), "failure_limit": selectors.lockout_failure_limit()}
    return render(request, "accounts/lockouts.html", context)


@login_required
@require_POST
def lockout_reset(request, user_id: int):
    try:
        user = selectors.user_get_for(request.user, user_id)
        services.lockout_reset(actor=request.user, user=user)
    except ApplicationError as exc:
        return error_page(request, exc)
    messages.success(request, _("%(user)s can log in again.") % {"user": user.shown_name})
    return redirect("accounts:lockouts")


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


# --- Organisations -------------------------------------------------------------------------------
def organization_list(request):
    try:
        orgs = selectors.organization_list(filters=request.GET, viewer=request.user)
    except ValidationFailed as exc:
        return error_page(request, exc)
    page = page_of(request, orgs, long=True)
    context = {"page": page, "kinds": Organization.Kind.choices, "statuses": Organization.Status.choices, "params": request.GET}
    return render(request, "organizations/list.html", context)


@login_required
def organization_create(request):
    form = forms.OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Organisation registered. Community staff will verify it."))
            return redirect("organizations:detail", org.pk)
    return render(request, "organizations/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def organization_verify(request, organization_id: int):
    org = selectors.organization_get_for(request.user, organization_id)
    try:
        services.organization_verify(actor=request.user, organization=org)
    except ApplicationError as exc:
        return error_page(request, exc)
    messages.success(request, _("Organisation verified."))
    return redirect("organizations:detail", org.pk)


@login_required
@require_POST
def organization_suspend(request, organization_id: int):
    org = selectors.organization_get_for(request.user, organization_id)
    form = forms.SuspendForm(request.POST)
    try:
        services.organization_suspend(actor=request.user, organization=org, reason=form.data.get("reason", ""))
    except ApplicationError as exc:
        if exc.status in (400, 409):
            messages.error(request, str(exc.message))
            return redirect("organizations:detail", org.pk)
        return error_page(request, exc)
    messages.success(request, _("Organisation suspended."))
    return redirect("organizations:detail", org.pk)


@login_required
@require_POST
def organization_contact(request, organization_id: int):
    """The organisation's administrator publishes its contact details on its public page."""
    org = selectors.organization_get_for(request.user, organization_id)
    try:
        services.organization_contact_update(
            actor=request.user, organization=org, contact_person=request.POST.get("contact_person", ""),
            contact_phone=request.POST.get("contact_phone", ""), contact_address=request.POST.get("contact_address", ""),
        )
    except ApplicationError as exc:
        if exc.status == 403:
            return error_page(request, exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Contact details saved; they are shown on the organisation's page."))
    return redirect("organizations:detail", org.pk)


@login_required
@require_POST
def organization_member_add(request, organization_id: int):
    org = selectors.organization_get_for(request.user, organization_id)
    form = forms.OrganizationMemberForm(request.POST, viewer=request.user)
    if not form.is_valid():
        for error in form.errors.get("person", []):
            messages.error(request, error)
        return redirect("organizations:detail", org.pk)
    user = form.cleaned_data["person"]
    try:
        services.organization_member_add(actor=request.user, organization=org, user=user)
    except ApplicationError as exc:
        if exc.status == 403:
            return error_page(request, exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(user)s added to the organisation.") % {"user": form.fields["person"].found.name})
    return redirect("organizations:detail", org.pk)


def people_search(request):
    """The member picker's answers as one types (``static/js/picker.js``): the same search as the
    forms' own lookup (``accounts.people``), so the script can find nobody the form would refuse."""
    if not request.user.is_authenticated:
        return JsonResponse({"results": [], "detail": _("Please log in first.")}, status=401)
    community_id = request.GET.get("community") or None
    if community_id is not None and not community_id.isdigit():
        return JsonResponse({"results": [], "detail": _("Unknown community.")}, status=400)
    roles = [r for r in request.GET.get("roles", "").split(",") if r in Membership.Role.values]
    found = people.people_search(request.user, request.GET.get("q", "")[:60], community_id=int(community_id) if community_id else None, roles=roles)
    return JsonResponse({"results": [{"id": f.user.pk, "label": f.label} for f in found[: people.SEARCH_LIMIT]]})


@login_required
def notifications(request):
    if request.method == "POST":
        notifications_mark_read(actor=request.user)
        messages.success(request, _("All marked as read."))
        return redirect("notifications")
    page = page_of(request, user_notifications(request.user), long=True)
    shown = list(page.object_list)  # read before marking, so this visit still shows which were new
    has_unread = any(n.read_at is None for n in shown)
    # Opening the page is reading them: the menu's count goes back to zero (one UPDATE, always).
    notifications_mark_read(actor=request.user)
    return render(request, "notifications.html", {"page": page, "notifications": shown, "has_unread": has_unread})

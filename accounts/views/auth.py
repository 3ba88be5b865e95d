"""Registering, changing and resetting a password, the profile, and staff's list of login lockouts."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import forms, selectors, services
from core.errors import ApplicationError, PermissionDenied
from core.pages import add_error_to_form, error_page
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

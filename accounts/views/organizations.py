"""Organisation pages: the list, registering one, verifying, suspending, public contact, members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import forms, selectors, services
from accounts.models import Organization
from core.errors import ApplicationError, ValidationFailed
from core.pages import add_error_to_form, error_page
from core.paging import page_of


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

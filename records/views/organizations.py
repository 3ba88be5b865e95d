"""The public page of an organisation."""

from django.shortcuts import render

from accounts import forms as account_forms
from accounts import selectors as account_selectors
from accounts import services as account_services
from orders import selectors

__all__ = ["organization_detail"]


def organization_detail(request, organization_id: int):
    org = account_selectors.organization_get_for(request.user, organization_id)
    user = request.user
    is_admin = user.is_authenticated and (user.is_superuser or account_selectors.is_organization_admin(user, org.pk))
    context = {
        "org": org,
        "members": account_selectors.organization_members(org),
        "can_review": account_services.can_review_organization(user, org),
        "is_admin": is_admin,
        "suspend_form": account_forms.SuspendForm(),
        "member_form": account_forms.OrganizationMemberForm(viewer=user),
        "contact_form": account_forms.OrganizationContactForm(
            initial={"contact_person": org.contact_person, "contact_phone": org.contact_phone, "contact_address": org.contact_address}
        ),
        "history": org.status_changes.select_related("actor"),
        "reputation": selectors.provider_reputation(organization=org),
    }
    return render(request, "records/organization.html", context)

"""Pages for service cards, guardians and assisted registration (代办). They call the same
services as ``accounts.assistance.api``."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.assistance import services as assistance
from accounts.forms import GuardianForm
from accounts.models import Community, User
from core.errors import ApplicationError, PermissionDenied
from core.masking import mask_name
from core.pages import error_page, perform


def _card_context(user: User, card) -> dict:
    """What the printed card shows: the masked name, the code and its QR code as an inline SVG
    (an ``<img src="data:...">``: the Content-Security-Policy allows data: images)."""
    qr = segno.make(card.shown_code, error="m")
    return {
        "person": user,
        "masked_name": mask_name(user.shown_name),
        "card": card,
        "qr_data_uri": qr.svg_data_uri(scale=6, border=2, dark="#000", light="#fff"),
    }


@login_required
def my_service_card(request):
    """The resident's own card, to print (A6, large type) or show on the phone."""
    try:
        if request.method == "POST":
            card = assistance.service_card_renew(actor=request.user)
            messages.success(request, _("Your card has a new code; the old card no longer works."))
            return redirect("service_card")
        card = assistance.service_card_get(actor=request.user)
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(request, "accounts/service_card.html", {**_card_context(request.user, card), "renew_url": request.path})


@login_required
def resident_service_card(request, community_id: int, user_id: int):
    """Staff print (or renew) the card of a resident of their community."""
    community = get_object_or_404(Community, pk=community_id)
    if not selectors.is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can do this.")))
    resident = selectors.resident_get_for(request.user, community.pk, user_id)  # 404 for anyone else
    try:
        if request.method == "POST":
            card = assistance.service_card_renew(actor=request.user, user=resident, community=community)
            messages.success(request, _("The card has a new code; the old card no longer works."))
            return redirect("resident_service_card", community.pk, resident.pk)
        card = assistance.service_card_get(actor=request.user, user=resident, community=community)
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(request, "accounts/service_card.html", {**_card_context(resident, card), "renew_url": request.path, "community": community})


@login_required
def resident_register(request, community_id: int):
    """Staff register a resident without a phone; then print their card."""
    community = get_object_or_404(Community, pk=community_id)
    if not selectors.is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can do this.")))
    values = {"display_name": "", "phone": ""}
    if request.method == "POST":
        values = {"display_name": request.POST.get("display_name", ""), "phone": request.POST.get("phone", "")}
        try:
            user = assistance.resident_register_assisted(actor=request.user, community=community, **values)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(name)s is registered. Print the service card for them.") % {"name": user.shown_name})
            return redirect("resident_service_card", community.pk, user.pk)
    return render(request, "accounts/resident_register.html", {"community": community, "values": values})


@login_required
def guardians(request):
    """A resident names or removes the family members or neighbours who may act for them."""
    form = GuardianForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        guardian = form.cleaned_data["person"]
        return perform(request, lambda: assistance.guardian_add(actor=request.user, guardian=guardian), success=_("Guardian named."), then=redirect("guardians"))
    context = {
        "guardians": selectors.guardian_links_of(request.user),
        "wards": selectors.wards_of(request.user),
        "requests": selectors.guardian_requests_for(request.user),
        "form": form,
    }
    return render(request, "accounts/guardians.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def guardian_remove(request, user_id: int):
    return perform(
        request, lambda: assistance.guardian_remove(actor=request.user, guardian_id=user_id), success=_("Guardian removed."), then=redirect("guardians")
    )


@login_required
@require_POST
def guardian_accept(request, user_id: int):
    """The person named says yes: from now on they may confirm and rate services for the resident."""
    return perform(
        request, lambda: assistance.guardian_accept(actor=request.user, resident_id=user_id), success=_("You are now their guardian."), then=redirect("guardians")
    )


@login_required
@require_POST
def guardian_decline(request, user_id: int):
    """The person named says no, or steps down later."""
    return perform(
        request, lambda: assistance.guardian_decline(actor=request.user, resident_id=user_id), success=_("Done: you are not their guardian."), then=redirect("guardians")
    )

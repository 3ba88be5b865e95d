"""Pages for claims: take a slot, deliver, verify, review; my claims; the staff queue; records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from accounts import forms as account_forms
from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Community, Membership, Organization, User, VolunteerNumber
from accounts.selectors import is_community_staff, staff_community_ids
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.exports import export
from core.masking import mask_name
from core.pagecache import personal_page
from core.pages import error_page, perform, safe_next
from marketplace import selectors as market_selectors
from marketplace import services as market_services
from marketplace.models import Need, Task
from orders import selectors, services
from orders.filters import ClaimFilter
from orders.models import Claim, Review
from orders.records import beneficiary_label, category_label, record_line
from orders.services.claims.deliver import CHECKIN_OPENS_BEFORE_START


# --- The task page: where a person claims, delivers, and staff verify ---------------------------
def task_detail(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    user = request.user
    is_staff = is_community_staff(user, task.community_id)
    my_claim = None
    can_claim = False
    my_orgs = []
    if user.is_authenticated:
        my_claim = Claim.objects.filter(task=task, user=user).order_by("-id").first()
        my_orgs = list(Organization.objects.filter(members__user=user, status=Organization.Status.VERIFIED))
        is_volunteer = Membership.objects.filter(user=user, community_id=task.community_id, role=Membership.Role.VOLUNTEER).exists()
        can_claim = (is_volunteer or my_orgs) and (my_claim is None or not my_claim.is_live)
    not_started = task.starts_at > timezone.now()
    my_position = services.waitlist_position(task, user) if user.is_authenticated else None
    context = {
        "task": task,
        "is_staff": is_staff,
        "my_claim": my_claim,
        # A full task that has not started: a volunteer without a live claim may wait for a slot.
        "can_wait": (
            user.is_authenticated and my_position is None and not (my_claim and my_claim.is_live) and not_started
            and task.status == Task.Status.FULL and Membership.objects.filter(user=user, community_id=task.community_id, role=Membership.Role.VOLUNTEER).exists()
        ),
        "my_position": my_position,
        "waiting": services.waitlist_people(task) if is_staff else None,
        "can_claim": can_claim and task.status == Task.Status.OPEN and task.starts_at > timezone.now(),
        "my_orgs": my_orgs,
        "claims": task.claims.select_related("user", "organization", "confirmed_by").order_by("id") if is_staff else None,
        "checkin": market_services.task_checkin_code(actor=user, task=task) if is_staff and task.status not in ("draft", "cancelled") else None,
        "reviewable": (
            Claim.objects.filter(task=task, status=Claim.Status.VERIFIED, review__isnull=True, confirmed_at__isnull=False).select_related("user")
            if task.beneficiary_id
            and user.is_authenticated
            and (task.beneficiary_id == user.pk or is_staff or account_selectors.is_guardian_of(user, task.beneficiary_id))
            else None
        ),
        "history": task.history.select_related("actor") if is_staff else None,
        "task_ended": task.ends_at <= timezone.now(),
        "status_labels": dict(Task.Status.choices),
        "checkin_open": task.starts_at - CHECKIN_OPENS_BEFORE_START <= timezone.now() <= task.ends_at,
        "checkin_opens_at": task.starts_at - CHECKIN_OPENS_BEFORE_START,
        "organiser": task.created_by,
        # The organiser's phone is for the people doing the task (and staff), not for every visitor.
        "show_contact": is_staff or (my_claim is not None and my_claim.is_live),
    }
    return render(request, "tasks/detail.html", context)


@login_required
@require_POST
def task_cancel(request, task_id: int):
    reason = request.POST.get("reason", "")[:200]
    scope = request.POST.get("scope") or "this"
    task = market_selectors.task_get_for(request.user, task_id)
    return perform(
        request, lambda: services.task_cancel(actor=request.user, task=task, reason=reason, scope=scope), success=_("Task cancelled; claimants were told."),
        then=redirect("tasks:detail", task.pk),
    )


@login_required
@require_POST
def waitlist_join(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    return perform(
        request, lambda: services.waitlist_join(actor=request.user, task=task),
        success=_("You are on the waiting list. When a slot comes free it is yours, and you will be told at once."),
        then=redirect("tasks:detail", task.pk),
    )


@login_required
@require_POST
def waitlist_leave(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    return perform(
        request, lambda: services.waitlist_leave(actor=request.user, task=task), success=_("You left the waiting list."),
        then=redirect("tasks:detail", task.pk),
    )


def _back_to(claim_or_task_id):
    return redirect("tasks:detail", claim_or_task_id)


@login_required
@require_POST
def claim(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    org_id = request.POST.get("organization") or None
    organization = None
    if org_id:
        organization = Organization.objects.filter(pk=org_id if str(org_id).isdigit() else 0).first()
        if organization is None:
            raise Http404
    return perform(
        request,
        lambda: services.claim_create(actor=request.user, task=task, organization=organization),
        success=_("You took a slot. Thank you! Check in on site with the code staff show."),
        then=_back_to(task.pk),
    )


def _claimant_action(request, claim_id: int, action, success: str):
    c = selectors.claim_get_for(request.user, claim_id)
    return perform(request, lambda: action(c), success=success, then=_back_to(c.task_id))


@login_required
def withdraw(request, claim_id: int):
    """GET asks "are you sure?" (a page of its own, so a thumb cannot withdraw by mistake);
    POST withdraws."""
    if request.method != "POST":
        c = selectors.claim_get_for(request.user, claim_id)
        if c.user_id != request.user.pk or c.status != Claim.Status.CLAIMED:
            return redirect("tasks:detail", c.task_id)
        return render(request, "claims/withdraw.html", {"claim": c, "task": c.task})
    return _claimant_action(request, claim_id, lambda c: services.claim_withdraw(actor=request.user, claim=c), _("Claim withdrawn; the slot is free again."))


@login_required
@require_POST
def check_in(request, claim_id: int):
    code = request.POST.get("code", "")
    return _claimant_action(request, claim_id, lambda c: services.claim_check_in(actor=request.user, claim=c, code=code), _("Checked in. Have a good service!"))


@login_required
@require_POST
def check_out(request, claim_id: int):
    code = request.POST.get("code", "")
    card = request.POST.get("beneficiary_code", "")[:40]
    return _claimant_action(
        request, claim_id, lambda c: services.claim_check_out(actor=request.user, claim=c, code=code, beneficiary_code=card), _("Checked out.")
    )


@login_required
@require_POST
def submit(request, claim_id: int):
    hours = request.POST.get("hours") or None
    note = request.POST.get("note", "")
    card = request.POST.get("beneficiary_code", "")[:40]
    return _claimant_action(
        request,
        claim_id,
        lambda c: services.claim_submit(actor=request.user, claim=c, hours=hours, note=note, beneficiary_code=card),
        _("Submitted for verification."),
    )


@login_required
def confirm(request, claim_id: int):
    """A one-tap page for the person served (or their guardian), linked from the notification;
    staff confirm here on the person's behalf with a consent note, the volunteer with the card's code."""
    c = selectors.claim_get_for(request.user, claim_id)
    try:
        method = services.confirmation_method_for(actor=request.user, claim=c, beneficiary_code="-")
    except ApplicationError as exc:
        return error_page(request, exc)
    if request.method == "POST":
        note = request.POST.get("consent_note", "")
        card = request.POST.get("beneficiary_code", "")[:40]
        answer = request.POST.get("answer", "done")[:10]
        comment = request.POST.get("comment", "")[:500]

        def act():
            claim, already = services.claim_confirm(
                actor=request.user, claim=c, consent_note=note, beneficiary_code=card, answer=answer, comment=comment
            )
            if already:  # perform() shows this instead of the success message
                claim.message = _("This service was already answered; nothing changed.")
            return claim

        success = _("Thank you: the service is confirmed.") if answer == "done" else _("Thank you: community staff will look into it.")
        return perform(request, act, success=success, then=redirect("claims:confirm", c.pk))
    context = {
        "claim": c, "method": method, "beneficiary": mask_name(c.task.beneficiary.shown_name) if c.task.beneficiary_id else "",
        "too_early": timezone.now() < c.task.starts_at,
    }
    return render(request, "claims/confirm.html", context)


@login_required
@require_POST
def verify(request, claim_id: int):
    hours = request.POST.get("hours") or None  # empty: the volunteer's claimed hours
    c = selectors.claim_get_for(request.user, claim_id)
    then = redirect(safe_next(request, f"/tasks/{c.task_id}/"))
    reason = request.POST.get("settle_reason", "")[:200]  # a disputed claim needs staff's reason
    return perform(
        request, lambda: services.claim_verify(actor=request.user, claim=c, hours=hours, settle_reason=reason), success=_("Verified; the points were paid."), then=then
    )


@login_required
@require_POST
def verify_many(request):
    """The queue's 审核通过 for the selected claims: each records its claimed hours."""
    ids = [i for i in request.POST.getlist("claim") if i.isdigit()]
    try:
        verified, skipped = services.claims_verify_many(actor=request.user, claim_ids=ids)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("claims:queue")
    if verified:
        messages.success(
            request, ngettext("%(n)d claim verified; the points were paid.", "%(n)d claims verified; the points were paid.", len(verified)) % {"n": len(verified)}
        )
    for s in skipped:
        messages.error(request, _("Claim #%(id)d was not verified: %(reason)s") % {"id": s["id"], "reason": s["message"]})
    return redirect("claims:queue")


@login_required
@require_POST
def reject(request, claim_id: int):
    reason = request.POST.get("reason", "")
    c = selectors.claim_get_for(request.user, claim_id)
    then = redirect(safe_next(request, f"/tasks/{c.task_id}/"))
    return perform(request, lambda: services.claim_reject(actor=request.user, claim=c, reason=reason), success=_("Claim rejected."), then=then)


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
        then=_back_to(c.task_id),
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
    then = _back_to(r.claim.task_id) if r.claim_id else redirect("projects:detail", r.contract.project_id)
    return perform(request, lambda: services.review_hide(actor=request.user, review=r, reason=reason), success=_("Review hidden."), then=then)


@login_required
@personal_page(params=(*ClaimFilter.base_filters, "page"))
def my_claims(request):
    try:
        claims = selectors.claim_list(viewer=request.user, filters=request.GET, own_only=True)
    except ValidationFailed as exc:
        return error_page(request, exc)
    # The verified ones show their last correction: one query for the page, not one per claim.
    # Only what the page shows (a row with every column of the claim, its task, its person and
    # their organisation cost more to build than to draw): the claim, its task's title, start and
    # community's name.
    claims = (
        claims.select_related(None)
        .select_related("task__community")
        .only(
            "id", "task_id", "status", "hours", "points_awarded", "reject_reason", "created_at",
            "task__id", "task__title", "task__starts_at", "task__community_id", "task__community__id", "task__community__name",
        )
        .prefetch_related("corrections")
    )
    page = Paginator(claims, 20).get_page(request.GET.get("page"))
    return render(request, "claims/mine.html", {"page": page})


@login_required
def queue(request):
    """Staff's queue: submitted claims of their communities, oldest first."""
    communities = Community.objects.values_list("pk", flat=True) if request.user.is_superuser else staff_community_ids(request.user)
    communities = list(communities)
    community = None
    chosen = request.GET.get("community", "")
    # ?community=<id> (the workbench's link) narrows the queue to one community the person staffs.
    if chosen.isdigit() and int(chosen) in communities:
        community = Community.objects.get(pk=int(chosen))
        communities = [community.pk]
    claims = selectors.review_queue(communities)
    page = Paginator(claims, 30).get_page(request.GET.get("page"))
    return render(request, "claims/queue.html", {"page": page, "community": community})


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


def record(request, user_id: int):
    """A volunteer's verified service with totals: printable, and as CSV (UTF-8 with BOM for Excel)."""
    volunteer = User.objects.filter(pk=user_id, is_active=True).first()
    if volunteer is None or not selectors.record_visible_to(volunteer, request.user):
        raise Http404
    lines = selectors.volunteer_record(volunteer)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        # The first six columns as before (people's spreadsheets read them by position); the
        # national rules' other fields follow.
        header = [_("Date"), _("Task"), _("Community"), _("Hours recorded"), _("Honour hours"), _("Points"), _("Place"), _("Category"), _("Beneficiary"), _("Stars")]
        rows = (
            [line["date"].isoformat(), line["title"], line["organiser"], line["hours"], line["honour_hours"], line["points"],
             line["place"], category_label(line["category"]), beneficiary_label(line["beneficiary_type"]), line["stars"] or ""]
            for line in map(record_line, lines.iterator(chunk_size=500))
        )
        return export(fmt, f"volunteer-record-{volunteer.pk}", header, rows, title="record")
    context = {
        "volunteer": volunteer,
        "lines": [record_line(c) for c in lines[:500]],
        "totals": selectors.volunteer_record_summary(volunteer),
        "star_range": range(1, 6),
        "certificate_communities": services.certificate_communities(actor=request.user, volunteer=volunteer),
        "reputation": selectors.provider_reputation(user=volunteer),
        "now": timezone.now(),
    }
    return render(request, "claims/record.html", context)


def _N(header: str) -> str:  # noqa: N802
    """A column of the national volunteer-record export, named as the standard names it."""
    return pgettext("national record", header)


def _volunteer_no(user) -> str:
    """The volunteer number of the national record (``JB00000004``), never an internal id; empty
    for someone who has never claimed a task (numbers are given at the first claim). The caller
    loads ``user__volunteer_number`` with the rows."""
    try:
        return user.volunteer_number.number or ""
    except VolunteerNumber.DoesNotExist:
        return ""


def _date(value, fmt="%Y-%m-%d") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


@login_required
def volunteers_export(request, community_id: int):
    """Staff's export of the community's service records (``?table=records``, the default) or
    volunteers (``?table=volunteers``) in the columns of the national volunteer-record data
    standard, as CSV (UTF-8 with BOM) or XLSX. Columns: docs/records-export.md."""
    community = account_selectors.community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can export its volunteer records.")))
    fmt, table = request.GET.get("format", "csv"), request.GET.get("table", "records")
    if fmt not in ("csv", "xlsx") or table not in ("records", "volunteers"):
        return error_page(request, ValidationFailed(_("Choose format=csv or xlsx and table=records or volunteers."), code="invalid_format"))
    if table == "volunteers":
        header = [
            _N("Volunteer number"), _N("Name"), _N("Registered in the community on"), _N("Registering organisation"),
            _N("Services"), _N("Service hours"), _N("Honour hours"), _N("Last service on"),
        ]
        rows = (
            [_volunteer_no(v["user"]), v["user"].shown_name, _date(v["joined"]), community.name,
             v["services"], v["hours"], v["honour_hours"], _date(v["last_service"])]
            for v in selectors.community_volunteer_totals(community.pk)
        )
        return export(fmt, f"volunteers-{community.pk}", header, rows, title="volunteers")
    header = [
        _N("Record number"), _N("Volunteer number"), _N("Name"), _N("Service project"), _N("Service category"), _N("Service start"),
        _N("Service end"), _N("Service place"), _N("Service hours"), _N("Honour hours"), _N("Served"), _N("On behalf of organisation"),
        _N("Recording organisation"), _N("Recorded on"),
    ]
    rows = (
        [
            c.pk, _volunteer_no(c.user), c.user.shown_name, c.task.title, c.task.get_category_display(),
            _date(c.task.starts_at, "%Y-%m-%d %H:%M"), _date(c.task.ends_at, "%Y-%m-%d %H:%M"), c.task.location, c.hours,
            c.honour_hours, _("An individual resident") if c.task.beneficiary_id else _("The community"),
            c.organization.name if c.organization_id else "", c.task.community.name, _date(c.verified_at),
        ]
        for c in selectors.community_service_records(community.pk).iterator(chunk_size=500)
    )
    return export(fmt, f"service-records-{community.pk}", header, rows, title="records")


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
    return render(request, "organizations/detail.html", context)


@login_required
def resident_record(request, community_id: int, user_id: int):
    """Staff's page for one resident of their community: the service card, the guardians, and
    everything entered on their behalf (needs and reviews, 由工作人员代录) or done for them."""
    community = get_object_or_404(Community, pk=community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can do this.")))
    resident = account_selectors.resident_get_for(request.user, community.pk, user_id)
    context = {
        "community": community,
        "resident": resident,
        "guardians": account_selectors.guardians_of(resident),
        "needs": Need.objects.filter(author=resident, community=community).select_related("entered_by").order_by("-created_at"),
        "reviews": Review.objects.filter(author=resident).select_related("claim__task", "entered_by").order_by("-created_at"),
        "services": Claim.objects.filter(task__beneficiary=resident, task__community=community)
        .select_related("task", "user", "confirmed_by")
        .order_by("-task__starts_at", "-id"),
    }
    return render(request, "accounts/resident_record.html", context)

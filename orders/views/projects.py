"""Pages for funded projects: list, publish, and the project page where the five parties meet
(community, organisations bidding and delivering, volunteers on its tasks, reviews)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.selectors import community_get_for, is_community_staff
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.media import private_file_response
from core.pages import add_error_to_form, error_page, perform
from core.paging import page_of
from marketplace import forms as market_forms
from marketplace import selectors as market_selectors
from marketplace import services as market_services
from orders import selectors, services
from orders.models import Bid, Contract
from orders.scoring import track_record_score


def listing(request):
    try:
        projects = market_selectors.project_list(viewer=request.user, filters=request.GET)
    except ValidationFailed as exc:
        return error_page(request, exc)
    page = page_of(request, projects)
    return render(request, "projects/list.html", {"page": page})


@login_required
def create(request, community_id: int):
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can publish projects.")))
    form = market_forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = market_services.project_create(
                actor=request.user, community=community, title=data["title"], description=data["description"], budget=form.budget_fen(),
                bid_deadline=data["bid_deadline"], service_starts=data["service_starts"], service_ends=data["service_ends"],
                criteria=form.criteria_list(), required_documents=data["required_documents"],
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Project published; organisations can bid until the deadline."))
            return redirect("projects:detail", project.pk)
    return render(request, "projects/form.html", {"form": form, "community": community}, status=400 if form.errors else 200)


def detail(request, project_id: int):
    return _render_detail(request, market_selectors.project_get_for(request.user, project_id))


def _render_detail(request, project, *, bid_form: dict | None = None, status: int = 200):
    user = request.user
    is_staff = is_community_staff(user, project.community_id)
    closed = project.bidding_closed()
    contract = Contract.objects.filter(project=project).select_related("organization").first()
    my_orgs = list(Organization.objects.filter(members__user=user, members__role="admin", status=Organization.Status.VERIFIED)) if user.is_authenticated else []
    visible_bids = list(selectors.bids_visible_to(project, user))
    if is_staff and closed:  # each bidder's track record beside its bid, for comparing them (#22)
        records = selectors.organization_track_records([b.organization_id for b in visible_bids])
        for b in visible_bids:
            b.track_record = records[b.organization_id]
            b.track_record_score = track_record_score(b.track_record)  # what a track-record criterion gives it
    context = {
        "project": project,
        "is_staff": is_staff,
        "closed": closed,
        "criteria": project.criteria.all(),
        "track_record_criterion": any(c.kind == c.Kind.TRACK_RECORD for c in project.criteria.all()),
        "bids": visible_bids,
        "bid_count": selectors.bid_count(project) if is_staff else None,
        "ranking": selectors.bid_ranking(project) if is_staff and closed else None,
        "can_bid": bool(my_orgs) and not closed and project.status == "open",
        "bid_orgs": [o for o in my_orgs if not Bid.objects.filter(project=project, organization=o).exclude(status="withdrawn").exists()],
        "contract": contract,
        "milestones": contract.milestones.all() if contract else [],
        "is_contractor": bool(contract) and user.is_authenticated and contract.organization.members.filter(user=user).exists(),
        "tasks": selectors.contract_tasks(contract) if contract else [],
        "review": getattr(contract, "review", None) if contract else None,
        "today": date.today(),
        "bid_form": bid_form or _from_withdrawn_bid(project, my_orgs),
        "bid_max_yuan": f"{Decimal(project.budget) / 100:.2f}",
    }
    return render(request, "projects/detail.html", context, status=status)


def _from_withdrawn_bid(project, my_orgs) -> dict:
    """After a withdrawal the new bid form starts from the withdrawn bid (nothing typed is lost):
    the latest withdrawn bid of an organisation this person bids for that has no live bid."""
    withdrawn = (
        Bid.objects.filter(project=project, organization__in=my_orgs, status=Bid.Status.WITHDRAWN)
        .exclude(organization__in=Bid.objects.filter(project=project).exclude(status=Bid.Status.WITHDRAWN).values("organization"))
        .order_by("-updated_at", "-id").first()
    ) if my_orgs else None
    if withdrawn is None:
        return {}
    values = {
        "organization": str(withdrawn.organization_id), "amount_yuan": f"{Decimal(withdrawn.amount) / 100:.2f}",
        "proposal": withdrawn.proposal, "team": withdrawn.team, "timeline": withdrawn.timeline,
    }
    form = {"values": values, "errors": {}, "from_withdrawn": True}
    if withdrawn.attachment:  # sent again with the new bid unless another file is chosen
        form["withdrawn_bid"] = withdrawn.pk
    return form


# The service names the bid's fields as the API does; the page's inputs are named for people.
BID_FIELDS = {"amount": "amount_yuan", "proposal": "proposal", "attachment": "attachment", "organization": "organization"}


def _fen(yuan: str) -> int | None:
    try:
        value = Decimal(yuan.strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2 or abs(value) > 10**12:
        return None
    return int(value * 100)


@login_required
@require_POST
def bid(request, project_id: int):
    """Submit a bid. A refused form comes back with every field as it was (the attachment kept
    for the next try) and each error beside its field."""
    project = market_selectors.project_get_for(request.user, project_id)
    user = request.user
    values = {name: request.POST.get(name, "") for name in ("organization", "amount_yuan", "proposal", "team", "timeline")}
    upload = request.FILES.get("attachment")
    token, name = request.POST.get("attachment_token", ""), request.POST.get("attachment_name", "")[:200]
    kept = None if upload else services.bid_attachment_kept(actor=user, token=token)
    withdrawn_bid = request.POST.get("withdrawn_bid", "") if upload is None and kept is None else ""
    errors = {}
    organization = Organization.objects.filter(pk=int(values["organization"]) if values["organization"].isdigit() else 0).first()
    if organization is None:
        errors["organization"] = _("Choose the organisation you bid for.")
    elif withdrawn_bid:
        kept = services.bid_attachment_of_withdrawn(actor=user, project=project, organization=organization, bid_id=withdrawn_bid)
    amount = _fen(values["amount_yuan"])
    if amount is None:
        errors["amount_yuan"] = _("Enter the amount in yuan, for example 4000 or 4000.50.")
    if not errors:
        try:
            services.bid_submit(
                actor=user, project=project, organization=organization, amount=amount, proposal=values["proposal"],
                team=values["team"], timeline=values["timeline"], attachment=upload or kept,
            )
        except ApplicationError as exc:
            if exc.status in (401, 403, 404) or exc.field not in BID_FIELDS:
                if exc.status in (401, 403, 404):
                    return error_page(request, exc)
                messages.error(request, str(exc.message))
                return redirect("projects:detail", project.pk)
            errors[BID_FIELDS[exc.field]] = str(exc.message)
        else:
            if kept is not None and not withdrawn_bid:
                services.bid_attachment_discard(actor=user, token=token)
            messages.success(request, _("Bid submitted. It stays sealed until the deadline."))
            return redirect("projects:detail", project.pk)
    if upload is not None and "attachment" not in errors:
        token, name = services.bid_attachment_keep(actor=user, upload=upload), upload.name[:200]
    elif upload is not None or kept is None:
        token, name = "", ""
    form = {"values": values, "errors": errors, "attachment_token": token, "attachment_name": name}
    if withdrawn_bid and kept is not None:  # still the withdrawn bid's file
        form |= {"attachment_token": "", "withdrawn_bid": withdrawn_bid}
    return _render_detail(request, project, bid_form=form, status=400)


def bid_attachment(request, bid_id: int):
    """A bid's attachment, to whoever may read the bid (``bids_visible_to``: the bidding
    organisation's members; after the deadline, staff of the project's community). Anyone else,
    and a bid with no attachment: 404."""
    bid = selectors.bid_get_for(request.user, bid_id)
    return private_file_response(bid.attachment, download_name=f"bid-{bid.pk}")


@login_required
def withdraw_bid(request, bid_id: int):
    """GET: a second look (the bid, and that a new one can be sent until the deadline); POST withdraws."""
    b = selectors.bid_get_for(request.user, bid_id)
    if request.method != "POST":
        return render(request, "projects/withdraw_confirm.html", {"bid": b, "project": b.project})
    return perform(request, lambda: services.bid_withdraw(actor=request.user, bid=b), success=_("Bid withdrawn."), then=redirect("projects:detail", b.project_id))


@login_required
@require_POST
def score_bid(request, bid_id: int):
    b = selectors.bid_get_for(request.user, bid_id)
    scores = {}
    for criterion in b.project.criteria.all():
        if criterion.kind == criterion.Kind.TRACK_RECORD:
            continue  # computed by the service, never typed
        raw = request.POST.get(f"c{criterion.pk}", "")
        scores[criterion.pk] = int(raw) if raw.isdigit() else -1
    return perform(request, lambda: services.bid_score(actor=request.user, bid=b, scores=scores), success=_("Scores saved."), then=redirect("projects:detail", b.project_id))


@login_required
@require_POST
def award(request, project_id: int):
    project = market_selectors.project_get_for(request.user, project_id)
    raw = request.POST.get("bid", "")
    b = Bid.objects.filter(pk=int(raw) if raw.isdigit() else 0, project=project).first()
    then = redirect("projects:detail", project.pk)
    if b is None:
        messages.error(request, _("Choose the bid to award."))
        return then
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Write the reason for the award; it is kept for audit."))
        return then
    return perform(request, lambda: services.project_award(actor=request.user, project=project, bid=b, reason=reason), success=_("Awarded; every bidder was told."), then=then)


@login_required
@require_POST
def milestones(request, contract_id: int):
    contract = selectors.contract_get_for(request.user, contract_id)
    items = []
    for line in request.POST.get("milestones", "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3:
            try:
                items.append((parts[0], date.fromisoformat(parts[1]), int(round(float(parts[2]) * 100))))
            except ValueError:
                items.append(("", None, 0))
        elif line.strip():
            items.append(("", None, 0))
    return perform(request, lambda: services.contract_set_milestones(actor=request.user, contract=contract, items=items), success=_("Milestones set."), then=redirect("projects:detail", contract.project_id))


@login_required
@require_POST
def milestone_submit(request, milestone_id: int):
    m = selectors.milestone_get_for(request.user, milestone_id)
    evidence = request.POST.get("evidence", "")
    return perform(request, lambda: services.milestone_submit(actor=request.user, milestone=m, evidence=evidence), success=_("Milestone submitted."), then=redirect("projects:detail", m.contract.project_id))


@login_required
@require_POST
def milestone_accept(request, milestone_id: int):
    m = selectors.milestone_get_for(request.user, milestone_id)
    return perform(request, lambda: services.milestone_accept(actor=request.user, milestone=m), success=_("Milestone accepted."), then=redirect("projects:detail", m.contract.project_id))


@login_required
@require_POST
def milestone_return(request, milestone_id: int):
    m = selectors.milestone_get_for(request.user, milestone_id)
    comment = request.POST.get("comment", "")
    return perform(request, lambda: services.milestone_return(actor=request.user, milestone=m, comment=comment), success=_("Milestone returned with comments."), then=redirect("projects:detail", m.contract.project_id))


@login_required
@require_POST
def review(request, contract_id: int):
    contract = selectors.contract_get_for(request.user, contract_id)
    raw = request.POST.get("stars", "")
    stars = int(raw) if raw.isdigit() else 0
    return perform(request, lambda: services.contract_review(actor=request.user, contract=contract, stars=stars, comment=request.POST.get("comment", "")), success=_("Thank you for your review."), then=redirect("projects:detail", contract.project_id))

"""Pages of participatory budgets (民生实事项目票决): the list, a budget's page (proposals with
their review, the ballot, the results with every count), staff's forms (open a budget, review,
enter a paper ballot at the desk, close, fund a winner). They call the same services and
selectors as the API."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community, Membership, Organization, Street, User
from accounts.selectors import is_community_staff
from budgets import selectors, services
from budgets.models import Ballot, Budget, Proposal
from core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from core.pagecache import personal_page
from core.pages import error_page, perform


def _yuan_to_fen(raw) -> int:
    try:
        return int(round(float(raw) * 100))
    except (TypeError, ValueError, OverflowError):
        return 0


def _local_datetime(raw) -> datetime:
    """A ``datetime-local`` input (or a date): the site's time zone."""
    raw = (raw or "").strip()
    try:
        value = datetime.fromisoformat(raw) if "T" in raw else datetime.combine(datetime.fromisoformat(raw).date(), time(9, 0))
    except ValueError:
        raise ValidationFailed(_("Give a date and time."), code="invalid_dates") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _ids(request) -> list[int]:
    return [int(v) for v in request.POST.getlist("proposal_ids") if v.isdigit() and len(v) < 12]


def budget_list(request):
    data = {k: v for k, v in request.GET.items() if k in ("community", "street", "status") and v.strip()}
    try:
        budgets = list(selectors.budgets(data)[:100])
    except ApplicationError as exc:
        return error_page(request, exc)
    streets = list(Street.objects.order_by("name")[:200]) if request.user.is_superuser else []
    return render(request, "budgets/list.html", {"budgets": budgets, "nav_item": "budgets", "streets": streets})


@personal_page
def budget_detail(request, budget_id: int):
    budget = selectors.budget_get(budget_id)
    user = request.user
    status = budget.status
    proposals = list(selectors.proposals(budget))
    organizations = _my_organizations(user) if status == Budget.Status.PROPOSING else []
    context = {
        "budget": budget, "status": status, "proposals": proposals, "nav_item": "budgets",
        "feasible": [p for p in proposals if p.status == Proposal.Status.FEASIBLE],
        "is_manager": user.is_authenticated and services.may_manage(user, budget),
        "may_propose": status == Budget.Status.PROPOSING and (
            bool(organizations) or (user.is_authenticated and services.area_members(budget).filter(user=user).exists())),
        "organizations": organizations,
        "is_resident": user.is_authenticated and services.is_area_resident(user, budget),
        "ballot": selectors.ballot_of(user, budget),
        "counts": selectors.ballot_counts(budget) if status == Budget.Status.CLOSED else None,
        "default_deadline": (timezone.localtime() + timedelta(days=21)).strftime("%Y-%m-%dT18:00"),
    }
    return render(request, "budgets/detail.html", context)


def _my_organizations(user) -> list[Organization]:
    """The verified organisations ``user`` is a member of: they may propose on their behalf."""
    if not user.is_authenticated:
        return []
    return list(Organization.objects.filter(status=Organization.Status.VERIFIED, members__user=user).distinct().order_by("name"))


@login_required
def budget_new(request, community_id: int):
    community = get_object_or_404(Community.objects.select_related("street"), pk=community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of the community (or the district admin for a street) open a budget.")))
    return _open_budget(request, community=community)


@login_required
def budget_new_street(request, street_id: int):
    """The district admin opens a budget for a whole street (街道): its residents of every community vote."""
    street = get_object_or_404(Street, pk=street_id)
    if not request.user.is_superuser:
        return error_page(request, PermissionDenied(_("Only the district administrator opens a budget for a street.")))
    return _open_budget(request, street=street)


def _open_budget(request, *, community: Community | None = None, street: Street | None = None):
    """The open-a-budget form, for a community or (the district admin) a street: one service."""
    context = {"community": community, "street": street, "area_name": community.name if community else street.name,
               "offer_street": community.street if community and request.user.is_superuser else None}
    if request.method != "POST":
        now = timezone.localtime()
        return render(request, "budgets/new.html", context | {
            "opens": (now + timedelta(days=14)).strftime("%Y-%m-%dT09:00"), "closes": (now + timedelta(days=28)).strftime("%Y-%m-%dT18:00"),
        })
    try:
        max_choices = request.POST.get("max_choices", "").strip()
        budget = services.budget_create(
            actor=request.user, community=community, street=street, title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            amount=_yuan_to_fen(request.POST.get("amount_yuan")), voting_opens=_local_datetime(request.POST.get("voting_opens")),
            voting_closes=_local_datetime(request.POST.get("voting_closes")),
            max_choices=int(max_choices) if max_choices.isdigit() and len(max_choices) < 4 else (0 if max_choices else None),
        )
    except ApplicationError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        return render(request, "budgets/new.html", context | {"error": exc, "form": request.POST, "opens": request.POST.get("voting_opens"),
                                                              "closes": request.POST.get("voting_closes")})
    messages.success(request, _("Budget opened: residents can propose projects until voting opens."))
    return redirect("budgets:detail", budget.pk)


def _organization(raw: str) -> Organization | None:
    """"As myself" (empty) or "as <organisation>": the service decides whether the proposer may."""
    raw = (raw or "").strip()
    if not raw:
        return None
    organization = Organization.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
    if organization is None:
        raise NotFound(_("No such organisation."), code="organization_not_found", field="organization_id")
    return organization


@login_required
@require_POST
def proposal_new(request, budget_id: int):
    budget = selectors.budget_get(budget_id)
    return perform(
        request,
        lambda: services.proposal_create(actor=request.user, budget=budget, title=request.POST.get("title", ""), text=request.POST.get("text", ""),
                                         cost=_yuan_to_fen(request.POST.get("cost_yuan")),
                                         organization=_organization(request.POST.get("organization_id"))),
        success=_("Thank you: your proposal is waiting for staff to review it."),
        then=redirect("budgets:detail", budget.pk),
    )


@login_required
@require_POST
def proposal_review(request, proposal_id: int):
    proposal = selectors.proposal_get(proposal_id)
    return perform(
        request,
        lambda: services.proposal_review(actor=request.user, proposal=proposal, feasible=request.POST.get("feasible") == "1",
                                         reason=request.POST.get("reason", "")),
        success=_("Review saved."),
        then=redirect("budgets:detail", proposal.budget_id),
    )


@login_required
@require_POST
def ballot_new(request, budget_id: int):
    budget = selectors.budget_get(budget_id)
    return perform(
        request,
        lambda: services.ballot_cast(actor=request.user, budget=budget, proposal_ids=_ids(request)),
        success=_("Thank you: your vote is counted."),
        then=redirect("budgets:detail", budget.pk),
    )


@login_required
def paper_ballot(request, budget_id: int):
    """Staff at the desk (活动中心) enter a resident's paper ballot, recorded as entered for them."""
    budget = selectors.budget_get(budget_id)
    if not services.may_manage(request.user, budget):
        return error_page(request, PermissionDenied(_("Only staff of the community enter paper ballots.")))
    if request.method == "POST":
        raw = request.POST.get("voter", "")
        voter = User.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
        if voter is None:
            messages.error(request, _("Choose the resident."))
            return redirect("budgets:paper", budget.pk)
        return perform(
            request,
            lambda: services.ballot_cast(actor=request.user, budget=budget, proposal_ids=_ids(request), on_behalf_of=voter),
            success=_("Paper ballot of %(name)s entered.") % {"name": voter.shown_name},
            then=redirect("budgets:paper", budget.pk),
        )
    voted = Ballot.objects.filter(budget=budget).values("voter_id")
    residents = (
        User.objects.filter(memberships__in=services.area_members(budget).filter(role=Membership.Role.RESIDENT)).exclude(pk__in=voted)
        .distinct().order_by("display_name", "username")[:500]
    )
    return render(request, "budgets/paper.html", {
        "budget": budget, "residents": residents, "status": budget.status, "nav_item": "budgets",
        "feasible": selectors.proposals(budget).filter(status=Proposal.Status.FEASIBLE), "counts": selectors.ballot_counts(budget),
    })


@login_required
@require_POST
def budget_close(request, budget_id: int):
    budget = selectors.budget_get(budget_id)
    return perform(request, lambda: services.budget_close(actor=request.user, budget=budget), success=_("Voting closed and counted."),
                   then=redirect("budgets:detail", budget.pk))


@login_required
@require_POST
def proposal_fund(request, proposal_id: int):
    proposal = selectors.proposal_get(proposal_id)
    try:
        deadline = _local_datetime(request.POST.get("bid_deadline"))
    except ValidationFailed:
        deadline = timezone.now() - timedelta(days=1)  # refused by the service with its own message
    return perform(
        request,
        lambda: services.proposal_fund(actor=request.user, proposal=proposal, bid_deadline=deadline),
        success=_("The project is published for bids and its cost recorded on the public funds page."),
        then=redirect("budgets:detail", proposal.budget_id),
    )

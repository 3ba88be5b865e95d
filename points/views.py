"""Pages for points: my points, the supermarket, and the staff counter. Services do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community
from accounts.selectors import community_get_for, is_community_staff, my_memberships
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.exports import export
from core.fragments import KeptFragments
from core.pagecache import personal_page
from core.pages import add_error_to_form, error_page, perform
from core.paging import page_of
from points import forms, selectors, services
from points.filters import LedgerEntryFilter
from points.models import Alliance, Redemption, Reward


# --- My points ---------------------------------------------------------------------------------
@login_required
@personal_page(params=(*LedgerEntryFilter.base_filters, "page"))
def my_points(request):
    user = request.user
    communities = [m.community for m in my_memberships(user)]  # the navigation's too: one query
    unique_communities = list({c.pk: c for c in communities}.values())
    transfer_form = forms.TransferForm(request.POST or None, communities=unique_communities, viewer=user)
    if request.method == "POST" and transfer_form.is_valid():
        data = transfer_form.cleaned_data
        try:
            community = next(c for c in unique_communities if c.pk == data["community"])
            to_user = data["to_person"]
            services.points_transfer(actor=user, community=community, amount=data["amount"], to_user=to_user, to_pool=to_user is None)
        except ApplicationError as exc:
            add_error_to_form(transfer_form, exc)
        else:
            messages.success(request, _("Points given."))
            return redirect("points:mine")
    try:
        entries = selectors.person_entries(user, filters=request.GET)
    except ValidationFailed as exc:
        return error_page(request, exc)
    # Only what the statement shows: the line, its transaction's kind and reason, its community's name.
    entries = entries.only(
        "id", "created_at", "amount", "balance_after", "transaction_id", "account_id",
        "transaction__id", "transaction__kind", "transaction__memo", "transaction__memo_code", "transaction__memo_params",
        "account__id", "account__community_id", "account__community__id", "account__community__name",
    )
    balances = selectors.person_balances(user)
    context = {
        "balances": balances,
        "total": sum(account.balance for account in balances),  # the same sum as person_balance, without asking again
        "page": page_of(request, entries),
        "redemptions": Redemption.objects.filter(user=user).select_related("reward", "community")[:20],
        "transfer_form": transfer_form,
        "transfer_form_html": None if transfer_form.is_bound else _blank_transfer_form(transfer_form, unique_communities),
        "communities": unique_communities,
    }
    return render(request, "points/mine.html", context, status=400 if transfer_form.errors else 200)


_blank_forms = KeptFragments(1000)


def _blank_transfer_form(form, communities) -> str:
    """The empty "give points" form, drawn once per content (core/fragments.py, issue #35): it shows
    only the person's communities and whether they find people by name, and drawing its fields
    through the form renderer cost more than the rest of the statement."""
    shown = ("transfer", tuple((c.pk, c.name) for c in communities), form.fields["to_person"].widget.by_name)
    return mark_safe(_blank_forms.drawn(shown, lambda: render_to_string("partials/form.html", {"form": form})))  # noqa: S308 - escaped when drawn


# --- The supermarket -----------------------------------------------------------------------------
def catalogue(request, community_id: int):
    community = community_get_for(request.user, community_id)
    user = request.user
    is_staff = is_community_staff(user, community.pk)
    filters = {**request.GET.dict(), "community": community.pk}
    try:
        rewards = selectors.reward_list(filters=filters, only_available=not is_staff)
    except ValidationFailed as exc:
        return error_page(request, exc)
    context = {
        "community": community,
        "rewards": rewards,
        "is_staff": is_staff,
        "is_member": user.is_authenticated and services.may_spend_in(user, community.pk),
        "balance": selectors.spendable_balance_in(user, community) if user.is_authenticated else 0,
        "rule": selectors.community_rule(community),
        "redeem_form": forms.RedeemForm(),
        "alliance": services.alliance_of(community.pk),
    }
    return render(request, "points/catalogue.html", context)


@login_required
def redeem(request, reward_id: int):
    """GET (the supermarket's 兑换 button, a plain form) shows what the reservation will cost and
    asks to confirm; POST (the confirmation) reserves. Nothing is spent by one tap."""
    reward = selectors.reward_get_for(request.user, reward_id)
    form = forms.RedeemForm(request.POST if request.method == "POST" else request.GET)
    quantity = form.cleaned_data["quantity"] if form.is_valid() else 0
    if request.method != "POST":
        if not quantity:
            messages.error(request, _("Choose how many you want."))
            return redirect("points:catalogue", reward.community_id)
        balance = selectors.spendable_balance_in(request.user, reward.community)
        total = reward.cost * quantity
        return render(request, "points/redeem_confirm.html", {
            "reward": reward, "quantity": quantity, "total": total, "balance": balance, "after": balance - total,
        })
    try:
        redemption = services.redemption_reserve(actor=request.user, reward=reward, quantity=quantity)
    except ApplicationError as exc:
        if exc.status == 403:
            return error_page(request, exc)
        messages.error(request, str(exc.message))
        return redirect("points:catalogue", reward.community_id)
    messages.success(
        request, _("Reserved. Show the pickup code %(code)s at the community service centre.") % {"code": redemption.code}
    )
    return redirect("points:mine")


@login_required
def cancel_redemption(request, redemption_id: int):
    """GET: a second look before cancelling (what, whose, and for staff a reason the person is
    told); POST cancels. The owner's own "取消" posts straight here."""
    redemption = selectors.redemption_get_for(request.user, redemption_id)
    for_someone_else = redemption.user_id != request.user.pk
    # Staff cancelling someone's reservation are at their counter, not in their own points (#28).
    page = {"r": redemption, "for_someone_else": for_someone_else, **({"nav_item": "workbench"} if for_someone_else else {})}
    if request.method != "POST":
        return render(request, "points/cancel_confirm.html", page)
    try:
        services.redemption_cancel(actor=request.user, redemption=redemption, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        if getattr(exc, "field", None) == "reason":
            return render(request, "points/cancel_confirm.html", {**page, "error": exc.message}, status=400)
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Reservation cancelled; the points are back. %(name)s was told why.") % {"name": redemption.user.shown_name}
            if for_someone_else else _("Reservation cancelled; the points are back."),
        )
    if is_community_staff(request.user, redemption.community_id) and redemption.user_id != request.user.pk:
        return redirect("points:counter", redemption.community_id)
    return redirect("points:mine")


@login_required
def reward_edit(request, community_id: int, reward_id: int | None = None):
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can manage its rewards.")))
    reward = get_object_or_404(Reward, pk=reward_id, community=community) if reward_id else None
    initial = {}
    if reward is not None:
        initial = {f: getattr(reward, f) for f in ("name", "description", "cost", "stock", "per_person_limit", "active_from", "active_to", "is_active")}
    form = forms.RewardForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if reward is None:
                data = {k: v for k, v in form.cleaned_data.items() if k != "is_active"}
                services.reward_create(actor=request.user, community=community, **data)
            else:
                services.reward_update(actor=request.user, reward=reward, **form.cleaned_data)
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Reward saved."))
            return redirect("points:catalogue", community.pk)
    context = {"form": form, "community": community, "reward": reward}
    return render(request, "points/reward_form.html", context, status=400 if form.errors else 200)


# --- The staff counter -----------------------------------------------------------------------------
@login_required
def counter(request, community_id: int, *, award_form=None, status: int = 200):
    """Staff's page: totals, rules, manual awards, and handing out reserved rewards by code."""
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can open its points counter.")))
    rule = selectors.community_rule(community)
    context = {
        "community": community,
        "summary": selectors.community_summary(community),
        "reserved": Redemption.objects.filter(community=community, status=Redemption.Status.RESERVED).select_related("reward", "user"),
        "rule_form": forms.RuleForm(
            initial={"daily_cap": rule.daily_cap, "lifetime_cap": rule.lifetime_cap, "reservation_days": rule.reservation_days}
        ),
        "award_form": award_form or forms.AwardForm(viewer=request.user, community=community),
        "budget_form": forms.BudgetForm() if request.user.is_superuser else None,
        "fulfil_form": forms.FulfilForm(),
        "recent": selectors.community_entries(community)[:20],
    }
    return render(request, "points/counter.html", context, status=status)


def _counter_action(request, community_id: int, form_class, action, success: str):
    community = community_get_for(request.user, community_id)
    then = redirect("points:counter", community.pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return then
    return perform(request, lambda: action(community, form.cleaned_data), success=success, then=then)


@login_required
@require_POST
def fulfil(request, community_id: int, redemption_id: int):
    def action(community, data):
        # As in the API: someone else's reservation, or one of another community, does not exist for them.
        redemption = selectors.redemption_get_for(request.user, redemption_id, community=community)
        return services.redemption_fulfil(actor=request.user, redemption=redemption, code=data["code"])

    return _counter_action(request, community_id, forms.FulfilForm, action, _("Handed over. Thank you!"))


@login_required
@require_POST
def award(request, community_id: int):
    community = community_get_for(request.user, community_id)
    form = forms.AwardForm(request.POST, viewer=request.user, community=community)
    if not form.is_valid():
        # The counter again with the form as typed: its errors, or the people to choose between.
        if not is_community_staff(request.user, community.pk):
            return error_page(request, PermissionDenied(_("Only staff of this community can open its points counter.")))
        return counter(request, community.pk, award_form=form, status=400)
    data = form.cleaned_data
    return perform(
        request,
        lambda: services.points_award_by_staff(actor=request.user, community=community, user=data["person"], amount=data["amount"], reason=data["reason"]),
        success=_("Points awarded."),
        then=redirect("points:counter", community.pk),
    )


@login_required
@require_POST
def rules(request, community_id: int):
    def action(community, data):
        return services.rule_update(actor=request.user, community=community, **data)

    return _counter_action(request, community_id, forms.RuleForm, action, _("Rules saved."))


@login_required
@require_POST
def budget(request, community_id: int):
    def action(community, data):
        return services.points_budget(actor=request.user, community=community, amount=data["amount"], memo=data["memo"])

    return _counter_action(request, community_id, forms.BudgetForm, action, _("Budget credited to the pool."))




@login_required
def ledger_export(request, community_id: int):
    """The community's points ledger, streamed as CSV (default) or XLSX, for staff."""
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can export its ledger.")))
    entries = selectors.community_entries(community)
    header = [_("Date"), _("Transaction"), _("Kind"), _("Account"), _("Points"), _("Balance after"), _("Reason")]
    rows = (
        [
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.transaction_id, str(e.transaction.get_kind_display()),
            e.account.user.shown_name if e.account.user_id else str(e.account.get_kind_display()), e.amount, e.balance_after, e.transaction.memo_text,
        ]
        for e in entries.iterator(chunk_size=1000)
    )
    return export(request.GET.get("format", "csv"), f"ledger-{community.pk}", header, rows, title="ledger") or export("csv", f"ledger-{community.pk}", header, rows)


def alliances(request):
    """通存通兑: the alliances (public, as in the API: a volunteer may see where their points are
    good), each with its balances for those who may read them; the district admin's form makes one
    (two or more communities) through the API's service, its refusals shown in the form."""
    user = request.user
    error, chosen, name = None, [], ""
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        chosen = [int(v) for v in request.POST.getlist("community_ids") if v.isdigit() and len(v) < 12]
        name = request.POST.get("name", "")[:120]
        try:
            alliance = services.alliance_create(actor=user, community_ids=chosen, name=name)
        except ApplicationError as exc:
            if exc.status in (401, 403):
                return error_page(request, exc)
            error = exc
        else:
            messages.success(request, _("Alliance made: points earned in any of these communities are good in all of them."))
            return redirect("points:alliance", alliance.pk)
    rows = list(Alliance.objects.prefetch_related("members__community").order_by("-created_at", "-id")[:200])
    for alliance in rows:
        alliance.communities = sorted((m.community for m in alliance.members.all()), key=lambda c: c.pk)
        alliance.may_read = user.is_authenticated and (user.is_superuser or any(is_community_staff(user, c.pk) for c in alliance.communities))
    allied = {m.community_id for a in rows for m in a.members.all()}
    communities = list(Community.objects.select_related("street").order_by("street__name", "name")[:500]) if user.is_superuser else []
    return render(request, "points/alliances.html", {
        "alliances": rows, "communities": communities, "allied": allied, "error": error, "chosen": chosen, "name": name,
    }, status=error.status if error else 200)


@login_required
def alliance_balances(request, alliance_id: int):
    """通存通兑: per pair of allied communities, the points that crossed each way and who owes whom
    (the district admin and staff of the alliance's communities)."""
    alliance = get_object_or_404(Alliance.objects.prefetch_related("members__community"), pk=alliance_id)
    if not any(is_community_staff(request.user, m.community_id) for m in alliance.members.all()):
        return error_page(request, PermissionDenied(_("Only the district administrator and staff of these communities see the clearing balances.")))
    return render(request, "points/alliance.html", {"alliance": alliance, "pairs": services.alliance_balances(alliance)})

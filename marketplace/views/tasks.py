"""Pages for tasks: the board, a task's page (claim, deliver, verify, review), post and edit."""

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, Value, When
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community
from accounts.selectors import community_get_for, is_community_staff, my_memberships
from core import pubcache
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.pagecache import personal_page
from core.pages import add_error_to_form, error_page, perform
from core.paging import page_of
from marketplace import forms, selectors, services
from marketplace.models import Task


def _board_filters(form: forms.TaskFilterForm) -> dict:
    """The filter bar's values in the FilterSet's vocabulary (dates become the day's bounds)."""
    data = form.cleaned_data if form.is_valid() else {}
    filters = {k: v for k, v in data.items() if v not in (None, "", False) and k not in ("starts_after", "starts_before")}
    tz = timezone.get_current_timezone()
    if data.get("starts_after"):
        filters["starts_after"] = datetime.combine(data["starts_after"], time.min, tzinfo=tz).isoformat()
    if data.get("starts_before"):
        filters["starts_before"] = datetime.combine(data["starts_before"], time.max, tzinfo=tz).isoformat()
    if "starts_after" not in filters and not data.get("q"):
        filters["starts_after"] = timezone.now().isoformat()  # the board shows what is still to come
    return filters


_filter_bars: OrderedDict[tuple, str] = OrderedDict()
_filter_bars_lock = threading.Lock()


def filter_bar_html(form: forms.TaskFilterForm, communities: tuple) -> str:
    """The board's filter bar, drawn once per (language, values asked, list of communities) and
    kept by the process (issue #18: its eight fields cost a few ms to draw through the form
    templates, for every board page). A bar with errors is drawn each time."""
    if form.is_bound and form.errors:
        return render_to_string("partials/form.html", {"form": form})
    asked = tuple(sorted((name, tuple(form.data.getlist(name))) for name in form.fields if name in form.data)) if form.is_bound else ()
    key = (translation.get_language(), asked, hash(communities))
    with _filter_bars_lock:
        html = _filter_bars.get(key)
    if html is None:
        html = render_to_string("partials/form.html", {"form": form})
        with _filter_bars_lock:
            _filter_bars[key] = html
            while len(_filter_bars) > 100:
                _filter_bars.popitem(last=False)
    return mark_safe(html)  # noqa: S308 - drawn by the form's templates, which escape


@personal_page(namespaces=("tasks",), params=(*forms.TaskFilterForm.base_fields, "scope", "page"))
def board(request):
    """The task board: open tasks with free slots first, then the rest, each group by start time.
    A member's board starts on their own communities; ``?scope=all`` (one tap) shows every one.

    Below the navigation the board shows nothing personal but which communities are "mine", so
    with the public cache on (Redis) that part is kept per (language, address, my communities) and
    task generation (core/pubcache.py): any change to a task makes it stale at once, and a signed-in
    page costs the navigation's queries only (issue #18)."""
    my_communities = sorted({m.community_id for m in my_memberships(request.user)})  # shared with the navigation
    part_key = hashlib.blake2b(
        repr((translation.get_language(), sorted(request.GET.lists()), my_communities)).encode(), digest_size=16
    ).hexdigest()
    generation, kept = pubcache.shared_get("tasks", f"board:{part_key}")
    if kept is not None:
        part = json.loads(kept)
        return render(request, "tasks/board.html", {"content_html": mark_safe(part["html"]), "board_channel": part["channel"]})  # noqa: S308
    response = _board(request, my_communities)
    if generation is not None and response.status_code == 200 and hasattr(response, "board_part"):
        pubcache.shared_put("tasks", f"board:{part_key}", generation, json.dumps(response.board_part).encode())
    return response


def _board(request, my_communities: list[int]):
    communities = tuple(Community.objects.order_by("name").values_list("id", "name"))  # the filter's list needs no more
    form = forms.TaskFilterForm(request.GET or None, communities=communities)
    filters = _board_filters(form)
    filters.setdefault("status", None)
    filters = {k: v for k, v in filters.items() if v is not None}
    scope = "all" if request.GET.get("scope") == "all" or not my_communities or filters.get("community") else "mine"
    try:
        tasks = selectors.task_list(viewer=request.user, filters=filters).exclude(
            status__in=[Task.Status.CANCELLED, Task.Status.EXPIRED, Task.Status.DRAFT]
        )
    except ValidationFailed as exc:
        return error_page(request, exc)
    if scope == "mine":
        tasks = tasks.filter(community_id__in=my_communities)
    tasks = selectors.as_cards(tasks).annotate(
        takeable=Case(When(status=Task.Status.OPEN, slots_taken__lt=F("slots"), then=Value(0)), default=Value(1))
    ).order_by("takeable", "starts_at", "id")
    page = page_of(request, tasks, capped=True)
    query = request.GET.copy()
    query.pop("page", None)
    community_filter = filters.get("community")
    active_filters = sum(1 for k in ("q", "community", "category", "has_slots", "skill", "starts_after", "starts_before") if request.GET.get(k))
    context = {
        "form": form,
        "form_html": filter_bar_html(form, communities),
        "page": page,
        "query": query.urlencode(),
        "board_channel": community_filter if community_filter else "all",
        "status_labels": dict(Task.Status.choices),
        "scope": scope if my_communities else None,
        "active_filters": active_filters,
    }
    html = render_to_string("tasks/board_content.html", context, request)
    response = render(request, "tasks/board.html", {**context, "content_html": mark_safe(html)})  # noqa: S308 - drawn by the template
    response.board_part = {"html": html, "channel": str(context["board_channel"])}
    return response


def card(request, task_id: int):
    """One task's card, as the board shows it: fetched by the live script when a task appears."""
    task = selectors.task_get_for(request.user, task_id)
    return render(request, "partials/task_card.html", {"task": task})


@login_required
def create(request, community_id: int):
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can manage its tasks.")))
    form = forms.TaskCreateForm(request.POST or None, viewer=request.user, community=community)
    if request.method == "POST" and form.is_valid_for(community):
        try:
            task = services.task_create(
                actor=request.user, community=community, fields=form.to_fields(), draft=form.cleaned_data["draft"], repeat=form.repeat()
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Task published.") if task.status == Task.Status.OPEN else _("Draft saved."))
            return redirect("tasks:detail", task.pk)
    return render(request, "tasks/form.html", {"form": form, "community": community}, status=400 if form.errors else 200)


@login_required
def edit(request, task_id: int):
    task = selectors.task_get_for(request.user, task_id)
    if not is_community_staff(request.user, task.community_id):
        return error_page(request, PermissionDenied(_("Only staff of this community can manage its tasks.")))
    form = forms.TaskEditForm(request.POST or None, initial=forms.TaskForm.initial_from(task), viewer=request.user, community=task.community)
    form.fields.pop("draft")
    if task.series_id is None:
        form.fields.pop("scope")
    if request.method == "POST" and form.is_valid_for(task.community):
        try:
            scope = form.cleaned_data.get("scope") or "this"
            services.task_update(actor=request.user, task=task, fields=form.to_fields(), scope=scope)
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Task saved."))
            return redirect("tasks:detail", task.pk)
    return render(request, "tasks/form.html", {"form": form, "community": task.community, "task": task}, status=400 if form.errors else 200)


def _staff_action(request, task_id: int, action, success: str):
    task = selectors.task_get_for(request.user, task_id)
    return perform(request, lambda: action(task), success=success, then=redirect("tasks:detail", task.pk))


@login_required
@require_POST
def publish(request, task_id: int):
    return _staff_action(request, task_id, lambda t: services.task_publish(actor=request.user, task=t), _("Task published."))


@login_required
@require_POST
def complete(request, task_id: int):
    return _staff_action(request, task_id, lambda t: services.task_complete(actor=request.user, task=t), _("Task marked done."))

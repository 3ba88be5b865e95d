"""Reads for tasks, needs and consultations: one selector per list for the pages and the API."""

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from accounts.models import Skill
from accounts.selectors import (
    is_community_staff,
    is_guardian_of,
    row_viewer_is_guardian,
    row_viewer_is_staff,
    staff_communities,
    with_viewer_guardian,
    with_viewer_roles,
    with_viewer_staff,
)
from core.errors import NotFound
from core.filtering import apply_filters
from core.masking import mask_name
from marketplace.filters import ConsultationFilter, NeedFilter, ProjectFilter, TaskFilter
from marketplace.models import Comment, Consultation, ConsultationOption, Need, Project, Task, Vote


def task_list(*, viewer=None, filters: dict | None = None) -> QuerySet[Task]:
    """Tasks sorted by start time. Tasks never published (drafts, cancelled drafts) only for staff
    of their community. The query count
    does not grow with the page size: the community and skills come in two fixed queries."""
    qs = (
        Task.objects.select_related("community")
        .defer("search_grams")  # the search index's data: never shown
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.only("id", "name")))
    )
    if viewer is not None and viewer.is_authenticated and viewer.is_superuser:
        pass
    elif viewer is not None and viewer.is_authenticated:
        staff_of = staff_communities(viewer)
        qs = qs.filter(Q(published_at__isnull=False) | Q(community_id__in=staff_of))
    else:
        qs = qs.filter(published_at__isnull=False)
    return apply_filters(TaskFilter, filters, qs).order_by("starts_at", "id")


# What a task card shows (partials/task_card.html and marketplace/templatetags/cards.py's key): a
# board or home page of cards reads only these, not the description and the rest of each task.
CARD_FIELDS = (
    "id", "community_id", "title", "category", "starts_at", "ends_at", "location", "status", "slots", "slots_taken", "points",
    "community__id", "community__name",
)


def as_cards(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """``task_list``'s rows with only the columns a task card shows."""
    return tasks.only(*CARD_FIELDS)


def task_get_for(viewer, task_id: int, *, bare: bool = False, organiser: bool = False, roles: bool = False) -> Task:
    """The task if the viewer may know it (a draft only for staff of its community); else 404.
    ``bare``: the task's own row only, for a caller that shows none of its relations (a claim).
    ``organiser``: its ``created_by`` read in the same query (the task page names them).
    ``roles``: whether the viewer is staff of its community, and volunteers there, read with it
    (``row_viewer_is_staff``, ``row_viewer_volunteers``: the task page asks both)."""
    tasks = Task.objects.all() if bare else Task.objects.select_related("community__street__district", "beneficiary").prefetch_related("skills")
    if organiser:
        tasks = tasks.select_related("created_by")
    if roles:
        tasks = with_viewer_roles(tasks, viewer)
    task = tasks.filter(pk=task_id).first()
    if task is None or (not task.is_published and not (viewer is not None and row_viewer_is_staff(task, viewer))):
        raise NotFound(code="task_not_found")
    return task


# --- Needs -------------------------------------------------------------------------------------------
def need_list(*, viewer, filters: dict | None = None) -> QuerySet[Need]:
    """For staff: their communities' needs; for a resident: their own needs. Open needs come first
    (the triage queue: most urgent, then oldest first), then the resolved and closed ones, newest first: last year's
    answered needs never push today's down the page."""
    done = [Need.Status.RESOLVED, Need.Status.CLOSED]
    qs = Need.objects.select_related("community", "author").annotate(
        is_done=Case(When(status__in=done, then=Value(1)), default=Value(0), output_field=IntegerField()),
        open_urgency=Case(When(status__in=done, then=Value(0)), default="urgency", output_field=IntegerField()),
        open_since=Case(When(status__in=done, then=Value(None)), default="created_at"),
    ).order_by("is_done", "-open_urgency", F("open_since").asc(nulls_last=True), "-created_at", "-id")
    qs = with_viewer_relations(qs, viewer)
    if not viewer.is_superuser:
        staff_of = staff_communities(viewer)
        qs = qs.filter(Q(author=viewer) | Q(community_id__in=staff_of))
    return apply_filters(NeedFilter, filters, qs)


def ward_needs(*, viewer, ward) -> QuerySet[Need]:
    """The needs a person posted (or staff posted for them), newest first, for a guardian they named
    (``accounts.selectors.ward_get_for`` says whether the viewer is one)."""
    qs = Need.objects.filter(author=ward).select_related("community", "author").order_by("-created_at", "-id")
    return with_viewer_relations(qs, viewer)


def with_viewer_relations(qs: QuerySet[Need], viewer) -> QuerySet[Need]:
    """Needs annotated with whether the viewer is staff of their community and a guardian of their
    author: what a list shows of each costs no query per row."""
    return with_viewer_guardian(with_viewer_staff(qs, viewer), viewer)


def need_is_public(need: Need) -> bool:
    """Resolved needs are on the public board, except private matters (私事): a resident's own
    business with a provider, only ever counted in the board's totals."""
    return need.status == Need.Status.RESOLVED and need.track != Need.Track.PRIVATE


def need_visible_to(need: Need, viewer) -> bool:
    if not viewer.is_authenticated:
        return need_is_public(need)
    return (
        need.author_id == viewer.pk
        or is_community_staff(viewer, need.community_id)
        or need_is_public(need)
        or is_guardian_of(viewer, need.author_id)  # a guardian reads the replies for the person they look after (#22)
    )


def need_get_for(viewer, need_id: int) -> Need:
    """The need if the viewer may read it (author, their guardian, staff, or resolved and public); else 404."""
    need = Need.objects.select_related("community", "author").filter(pk=need_id).first()
    if need is None or not need_visible_to(need, viewer):
        raise NotFound(code="need_not_found")
    return need


def need_author_shown_to(need: Need, viewer):
    """The author as this viewer may see them: always to staff, the author and their guardians; to
    others only when the need was not posted anonymously."""
    if viewer.is_authenticated and (
        viewer.pk == need.author_id or row_viewer_is_staff(need, viewer) or row_viewer_is_guardian(need, viewer, need.author_id)
    ):
        return need.author
    return None if need.anonymous else need.author


def need_author_name_for(need: Need, viewer) -> str | None:
    """The author's name as this viewer reads it on a page open to anyone (the feedback board, a
    need's page): in full to the author, their guardians and staff; masked (张*兰) to everyone else;
    None when posted anonymously."""
    author = need_author_shown_to(need, viewer)
    if author is None:
        return None
    if viewer.is_authenticated and (
        viewer.pk == need.author_id or row_viewer_is_staff(need, viewer) or row_viewer_is_guardian(need, viewer, need.author_id)
    ):
        return author.shown_name
    return mask_name(author.shown_name)


def need_details_visible_to(need: Need, viewer) -> bool:
    """The description may hold private details: only the author, their guardians and staff read it.
    Everyone who may see the need reads its title, status, track and reply."""
    return viewer.is_authenticated and (
        viewer.pk == need.author_id or row_viewer_is_staff(need, viewer) or row_viewer_is_guardian(need, viewer, need.author_id)
    )


def median_days(durations: list) -> float | None:
    if not durations:
        return None
    days = sorted(d.total_seconds() / 86400 for d in durations)
    middle = len(days) // 2
    value = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    return round(value, 1)


def needs_board(*, community=None) -> dict:
    """The public feedback board's figures, for one community or the whole district."""
    needs = Need.objects.all() if community is None else Need.objects.filter(community=community)
    # "Matched to services": needs that led to a task or a consultation (a join, so counted apart).
    matched = needs.filter(Q(tasks__isnull=False) | Q(consultations__isnull=False)).distinct().count()
    plain = needs.aggregate(
        received=Count("id"),
        # Posted by staff for residents without a phone (代办, #22): counted in "received" and shown as such.
        entered_by_staff=Count("id", filter=Q(entered_by__isnull=False)),
        triaged=Count("id", filter=~Q(track="")),
        major=Count("id", filter=Q(track=Need.Track.MAJOR)),
        minor=Count("id", filter=Q(track=Need.Track.MINOR)),
        private=Count("id", filter=Q(track=Need.Track.PRIVATE)),
        resolved=Count("id", filter=Q(status=Need.Status.RESOLVED)),
    )
    durations = [
        resolved - created
        for created, resolved in needs.filter(status=Need.Status.RESOLVED, resolved_at__isnull=False).values_list("created_at", "resolved_at")
    ]
    return {**plain, "matched": matched, "median_days_to_resolve": median_days(durations)}


def resolved_needs(*, community=None, viewer=None) -> QuerySet[Need]:
    """The public board's resolved needs (never private matters, see ``need_is_public``); with
    ``viewer``, each knows whether they are its staff."""
    qs = Need.objects.filter(status=Need.Status.RESOLVED).exclude(track=Need.Track.PRIVATE).select_related("community", "author").order_by("-resolved_at", "-id")
    qs = with_viewer_relations(qs, viewer)
    return qs if community is None else qs.filter(community=community)


# --- Consultations -------------------------------------------------------------------------------
def consultation_list(*, filters: dict | None = None, viewer=None) -> QuerySet[Consultation]:
    """Newest first, with each one's options and their vote counts (shown once voting closed) and,
    for a logged-in viewer, the option they chose: a fixed number of queries for any page."""
    options = ConsultationOption.objects.annotate(n=Count("votes")).order_by("position", "id")
    qs = Consultation.objects.select_related("community").prefetch_related(Prefetch("options", queryset=options)).order_by("-created_at", "-id")
    if viewer is not None and viewer.is_authenticated:
        mine = Vote.objects.filter(consultation=OuterRef("pk"), user=viewer).values("option_id")[:1]
        qs = qs.annotate(my_option_id=Subquery(mine), my_option_for=Value(viewer.pk))
    return apply_filters(ConsultationFilter, filters, qs)


def consultation_get_for(viewer, consultation_id: int) -> Consultation:
    """The consultation (consultations are public); else 404."""
    consultation = Consultation.objects.select_related("community", "need").filter(pk=consultation_id).first()
    if consultation is None:
        raise NotFound(code="consultation_not_found")
    return consultation


def consultation_results(consultation: Consultation) -> list[dict] | None:
    """Votes per option, shown only once voting has closed (so early counts sway nobody)."""
    if consultation.is_open():
        return None
    rows = getattr(consultation, "_prefetched_objects_cache", {}).get("options")  # from consultation_list
    if rows is None or not all(hasattr(o, "n") for o in rows):
        rows = consultation.options.annotate(n=Count("votes")).order_by("position", "id")
    return [{"option_id": o.pk, "label": o.label, "votes": o.n} for o in rows]


def my_vote(consultation: Consultation, viewer):
    if not viewer.is_authenticated:
        return None
    return Vote.objects.filter(consultation=consultation, user=viewer).select_related("option").first()


def my_option_id(consultation: Consultation, viewer) -> int | None:
    """The option the viewer voted for, read from consultation_list's annotation when it was made for them."""
    if viewer.is_authenticated and getattr(consultation, "my_option_for", None) == viewer.pk:
        return consultation.my_option_id
    vote = my_vote(consultation, viewer)
    return vote.option_id if vote else None


def visible_comments(consultation: Consultation) -> QuerySet[Comment]:
    return consultation.comments.select_related("author").order_by("created_at", "id")


# --- Projects ----------------------------------------------------------------------------------------
def project_list(*, viewer=None, filters: dict | None = None) -> QuerySet[Project]:
    """Newest first; each row knows its live bid count and whether the viewer is its staff, so the
    staff-only bid count costs no query per row."""
    qs = (
        Project.objects.select_related("community", "contract__organization")
        .prefetch_related("criteria")
        .annotate(live_bid_count=Count("bids", filter=~Q(bids__status="withdrawn")))
        .order_by("-created_at", "-id")
    )
    qs = with_viewer_staff(qs, viewer)
    if viewer is not None and viewer.is_authenticated and viewer.is_superuser:
        pass
    elif viewer is not None and viewer.is_authenticated:
        staff_of = staff_communities(viewer)
        qs = qs.filter(Q(published_at__isnull=False) | Q(community_id__in=staff_of))
    else:
        qs = qs.filter(published_at__isnull=False)
    return apply_filters(ProjectFilter, filters, qs)


def project_get_for(viewer, project_id: int) -> Project:
    """The project if the viewer may know it (a draft only for staff of its community); else 404."""
    project = Project.objects.select_related("community", "contract__organization").prefetch_related("criteria").filter(pk=project_id).first()
    if project is None or (not project.is_published and not (viewer is not None and is_community_staff(viewer, project.community_id))):
        raise NotFound(code="project_not_found")
    return project

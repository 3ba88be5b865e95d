"""Who may read an application, and the lists built on that answer.

Three kinds of people may know an application exists: the applicant, staff of its community, and
members of an organisation it was delegated to. Everyone else, the district admin included (the
district sees figures without names, ``district_figures``), gets 404. The sensitive fields (household,
income, documents) are read by the applicant and staff, and by the organisation only while it is
verifying (``can_read_sensitive``): once decided, the organisation keeps the record of its work
but not the person's figures."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from accounts.models import Community, Membership, Organization, OrganizationMember
from accounts.selectors import staff_communities
from core.errors import NotFound
from core.filtering import apply_filters
from relief.filters import ApplicationFilter
from relief.models import DELEGATED_STATUSES, OPEN_STATUSES, Application, ApplicationDocument


def _organizations_of(viewer) -> QuerySet:
    return OrganizationMember.objects.filter(user=viewer).values("organization_id")


def applications_visible_to(viewer) -> QuerySet[Application]:
    if viewer is None or not viewer.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(
        Q(applicant=viewer) | Q(community_id__in=staff_communities(viewer)) | Q(delegated_to_id__in=_organizations_of(viewer))
    )


def application_get_for(viewer, application_id: int) -> Application:
    """The application, or ``NotFound`` for anyone outside its named readers (an id that does not
    exist and one the viewer may not know answer the same)."""
    application = (
        applications_visible_to(viewer)
        .select_related("community", "applicant", "submitted_by", "delegated_to")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound(code="application_not_found")
    return application


def is_relief_staff(viewer, community_id: int) -> bool:
    """Staff of that community (a membership: the district admin decides nothing here)."""
    return bool(viewer and viewer.is_authenticated) and Membership.objects.filter(
        user=viewer, community_id=community_id, role=Membership.Role.STAFF
    ).exists()


def is_delegated_member(viewer, application: Application) -> bool:
    return bool(viewer and viewer.is_authenticated and application.delegated_to_id) and OrganizationMember.objects.filter(
        user=viewer, organization_id=application.delegated_to_id
    ).exists()


def can_read_sensitive(viewer, application: Application) -> bool:
    if not (viewer and viewer.is_authenticated):
        return False
    annotated = getattr(application, "viewer_read_for", None) == viewer.pk  # a list row: answered by its query
    if application.applicant_id == viewer.pk:
        return True
    if application.viewer_is_staff if annotated else is_relief_staff(viewer, application.community_id):
        return True
    if application.status not in DELEGATED_STATUSES:
        return False
    return application.viewer_is_member if annotated else is_delegated_member(viewer, application)


def application_list(viewer, *, filters: dict | None = None) -> QuerySet[Application]:
    """The viewer's applications, each row annotated with the viewer's part in it (staff of its
    community, member of the organisation it is delegated to), so a page costs the same queries
    however many rows it shows."""
    qs = applications_visible_to(viewer).select_related("community", "applicant", "delegated_to")
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(
            viewer_is_staff=Exists(Membership.objects.filter(user=viewer, role=Membership.Role.STAFF, community_id=OuterRef("community_id"))),
            viewer_is_member=Exists(OrganizationMember.objects.filter(user=viewer, organization_id=OuterRef("delegated_to_id"))),
            viewer_read_for=Value(viewer.pk),
        )
    return apply_filters(ApplicationFilter, filters, qs)


def applications_of(viewer) -> QuerySet[Application]:
    """The viewer's own applications (as the applicant)."""
    return Application.objects.filter(applicant=viewer).select_related("community")


def applications_delegated_to_member(viewer) -> QuerySet[Application]:
    return Application.objects.filter(delegated_to_id__in=_organizations_of(viewer)).select_related("community", "applicant", "delegated_to")


def staff_inbox(community_id: int) -> QuerySet[Application]:
    """What waits for staff of a community: new applications and reports to decide on, oldest first.
    The community is joined: each row of the inbox names it (a query per row before issue #35)."""
    return (
        Application.objects.filter(community_id=community_id, status__in=(Application.Status.SUBMITTED, Application.Status.REPORTED))
        .select_related("applicant", "community")
        .order_by("moved_at", "id")
    )


def application_history(application: Application):
    return application.history.select_related("actor").order_by("id")


def application_documents(application: Application) -> QuerySet[ApplicationDocument]:
    return application.documents.filter(report__isnull=True).order_by("id")


def document_get_for(viewer, application_id: int, document_id: int) -> ApplicationDocument:
    """A document, to its application's sensitive readers only; 404 for anyone else."""
    application = application_get_for(viewer, application_id)
    if not can_read_sensitive(viewer, application):
        raise NotFound(code="document_not_found")
    document = ApplicationDocument.objects.filter(pk=document_id, application=application).first()
    if document is None:
        raise NotFound(code="document_not_found")
    return document


def delegable_organizations(application: Application) -> QuerySet[Organization]:
    """Verified organisations whose home community lies in the application's district."""
    return Organization.objects.filter(
        status=Organization.Status.VERIFIED, community__street__district_id=application.community.street.district_id
    ).order_by("name")


@dataclass
class CommunityFigures:
    community: Community
    by_status: dict
    by_kind: dict
    decided: int
    average_days_to_decision: float | None
    oldest_waiting_days: int | None

    @property
    def status_counts(self) -> list[int]:
        return [self.by_status.get(value, 0) for value in Application.Status.values]

    @property
    def kind_counts(self) -> list[int]:
        return [self.by_kind.get(value, 0) for value in Application.Kind.values]


def district_figures(*, now=None) -> list[CommunityFigures]:
    """For the district: counts by status and kind, time to decision and the oldest wait, per
    community. Nothing that names a person."""
    now = now or timezone.now()
    rows = {}
    for community_id, status, kind, n in (
        Application.objects.values_list("community_id", "status", "kind").annotate(n=Count("id")).order_by()
    ):
        entry = rows.setdefault(community_id, {"by_status": {}, "by_kind": {}})
        entry["by_status"][status] = entry["by_status"].get(status, 0) + n
        entry["by_kind"][kind] = entry["by_kind"].get(kind, 0) + n
    decided = {}
    for community_id, created_at, decided_at in Application.objects.filter(decided_at__isnull=False).values_list("community_id", "created_at", "decided_at"):
        decided.setdefault(community_id, []).append((decided_at - created_at) / timedelta(days=1))
    oldest = {}
    for community_id, created_at in Application.objects.filter(status__in=OPEN_STATUSES).values_list("community_id", "created_at"):
        days = (now - created_at).days
        oldest[community_id] = max(days, oldest.get(community_id, 0))
    communities = Community.objects.filter(pk__in=rows).select_related("street").order_by("street__name", "name")
    return [
        CommunityFigures(
            community=c,
            by_status=rows[c.pk]["by_status"],
            by_kind=rows[c.pk]["by_kind"],
            decided=len(decided.get(c.pk, [])),
            average_days_to_decision=round(sum(decided[c.pk]) / len(decided[c.pk]), 1) if decided.get(c.pk) else None,
            oldest_waiting_days=oldest.get(c.pk),
        )
        for c in communities
    ]


def oldest_waiting(*, limit: int = 10) -> QuerySet[Application]:
    """Open applications waiting longest (the district page shows their community, kind and age only)."""
    return Application.objects.filter(status__in=OPEN_STATUSES).select_related("community").order_by("created_at", "id")[:limit]

"""One FilterSet per list, shared by the task board page and GET /api/v1/tasks."""

import django_filters
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Category, Consultation, Need, Project, Task
from marketplace.search import bigrams


class TaskFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=Task.Status.choices, label=_("Status"))
    q = django_filters.CharFilter(method="search", label=_("Search"))
    has_slots = django_filters.BooleanFilter(method="filter_has_slots", label=_("Free slots only"))
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("Starts after"))
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte", label=_("Starts before"))
    skill = django_filters.CharFilter(method="filter_skill", label=_("Skill"))
    series = django_filters.NumberFilter(field_name="series_id", label=_("Series"))

    class Meta:
        model = Task
        fields = ["community", "category", "status", "q", "has_slots", "starts_after", "starts_before", "skill", "series"]

    def search(self, queryset, name, value):
        # A substring match, which is what Chinese needs (no spaces between words). On PostgreSQL
        # the GIN index on the tasks' two-character windows narrows it to the tasks that hold all
        # of the query's windows first (marketplace/search.py).
        value = value.strip()
        if not value:
            return queryset
        grams = bigrams(value)
        if grams and connection.vendor == "postgresql":
            queryset = queryset.filter(search_grams__contains=grams)
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_has_slots(self, queryset, name, value):
        if value is None:
            return queryset
        if not value:
            return queryset.filter(slots_taken__gte=F("slots"))
        # A slot one can take now: the same test as claim_create (open, not started, a slot free).

        return queryset.filter(slots_taken__lt=F("slots"), status=Task.Status.OPEN, starts_at__gt=timezone.now())

    def filter_skill(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(skills__name=value) if value else queryset


class NeedFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    status = django_filters.ChoiceFilter(choices=Need.Status.choices, label=_("Status"))
    track = django_filters.ChoiceFilter(choices=Need.Track.choices, label=_("Track"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))

    class Meta:
        model = Need
        fields = ["community", "status", "track", "category"]


class ConsultationFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    need = django_filters.NumberFilter(field_name="need_id", label=_("Need"))

    class Meta:
        model = Consultation
        fields = ["community", "need"]


class ProjectFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    status = django_filters.ChoiceFilter(choices=Project.Status.choices, label=_("Status"))

    class Meta:
        model = Project
        fields = ["community", "status"]

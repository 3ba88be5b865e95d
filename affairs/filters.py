"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from affairs.models import Fund, Policy, PolicyCategory, Report, ServiceItem
from marketplace.search import bigrams


def _search(queryset, value: str, fields: tuple[str, ...]):
    # The board's search (marketplace/search.py): on PostgreSQL a GIN index on the two-character
    # windows narrows the rows to those holding all of the query's windows; then the exact test.
    value = value.strip()
    if not value:
        return queryset
    grams = bigrams(value)
    if grams and connection.vendor == "postgresql":
        queryset = queryset.filter(search_grams__contains=grams)
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": value})
    return queryset.filter(match)


class PolicyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ChoiceFilter(choices=PolicyCategory.choices, label=_("Category"))
    community = django_filters.NumberFilter(method="filter_community", label=_("Community"))

    class Meta:
        model = Policy
        fields = ["q", "category", "community"]

    def search(self, queryset, name, value):
        return _search(queryset, value, ("title", "summary", "body"))

    def filter_community(self, queryset, name, value):
        # A community's policies are its own and the district's.
        return queryset if value is None else queryset.filter(Q(community_id=value) | Q(community__isnull=True))


class ServiceItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ChoiceFilter(choices=PolicyCategory.choices, label=_("Category"))
    community = django_filters.NumberFilter(method="filter_community", label=_("Community"))

    class Meta:
        model = ServiceItem
        fields = ["q", "category", "community"]

    def search(self, queryset, name, value):
        return _search(queryset, value, ("name", "how_to_apply", "documents"))

    def filter_community(self, queryset, name, value):
        return queryset if value is None else queryset.filter(Q(community_id=value) | Q(community__isnull=True))


class FundFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(method="filter_community", label=_("Community"))
    street = django_filters.NumberFilter(method="filter_street", label=_("Street"))
    source = django_filters.ChoiceFilter(choices=Fund.Source.choices, label=_("Source"))
    year = django_filters.NumberFilter(field_name="year", label=_("Year"))

    class Meta:
        model = Fund
        fields = ["community", "street", "source", "year"]

    def filter_community(self, queryset, name, value):
        return queryset if value is None else queryset.filter(community_id=value)

    def filter_street(self, queryset, name, value):
        return queryset if value is None else queryset.filter(community__street_id=value)


class ReportFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    status = django_filters.ChoiceFilter(choices=Report.Status.choices, label=_("Status"))

    class Meta:
        model = Report
        fields = ["community", "status"]

"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Organization


class CommunityFilter(django_filters.FilterSet):
    district = django_filters.NumberFilter(field_name="street__district_id", label=_("District"))
    street = django_filters.NumberFilter(field_name="street_id", label=_("Street"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Community
        fields = ["district", "street", "q"]

    def search(self, queryset, name, value):
        # icontains is a plain substring match, which is what Chinese text needs (no word breaks).
        return queryset.filter(Q(name__icontains=value) | Q(street__name__icontains=value) | Q(street__district__name__icontains=value))


class OrganizationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Organization.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label=_("Kind"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Organization
        fields = ["status", "kind", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value))

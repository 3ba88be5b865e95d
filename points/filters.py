"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from points.models import LedgerEntry, Redemption, Reward


class RewardFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    max_cost = django_filters.NumberFilter(field_name="cost", lookup_expr="lte", label=_("At most this many points"))
    in_stock = django_filters.BooleanFilter(method="filter_in_stock", label=_("In stock only"))

    class Meta:
        model = Reward
        fields = ["community", "q", "max_cost", "in_stock"]

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(stock__gt=0) if value else queryset


class RedemptionFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    status = django_filters.ChoiceFilter(choices=Redemption.Status.choices, label=_("Status"))
    reward = django_filters.NumberFilter(field_name="reward_id", label=_("Reward"))

    class Meta:
        model = Redemption
        fields = ["community", "status", "reward"]


class LedgerEntryFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="account__community_id", label=_("Community"))
    kind = django_filters.CharFilter(field_name="transaction__kind", label=_("Kind"))

    class Meta:
        model = LedgerEntry
        fields = ["community", "kind"]

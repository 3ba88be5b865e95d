"""One FilterSet for the list of budgets, shared by the page and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import Budget


class BudgetFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(method="filter_community", label=_("Community"))
    street = django_filters.NumberFilter(field_name="street_id", label=_("Street"))
    status = django_filters.ChoiceFilter(choices=Budget.Status.choices, method="filter_status", label=_("Status"))

    class Meta:
        model = Budget
        fields = ["community", "street", "status"]

    def filter_community(self, queryset, name, value):
        # A community's residents also vote in their street's budgets.
        return queryset.filter(Q(community_id=value) | Q(street__communities__id=value))

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        open_ = Q(closed_at__isnull=True)
        return queryset.filter({
            Budget.Status.PROPOSING: open_ & Q(voting_opens__gt=now),
            Budget.Status.VOTING: open_ & Q(voting_opens__lte=now, voting_closes__gt=now),
            Budget.Status.COUNTING: open_ & Q(voting_closes__lte=now),
            Budget.Status.CLOSED: Q(closed_at__isnull=False),
        }[value])

"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from orders.models import Claim


class ClaimFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id", label=_("Task"))
    community = django_filters.NumberFilter(field_name="task__community_id", label=_("Community"))
    status = django_filters.ChoiceFilter(choices=Claim.Status.choices, label=_("Status"))

    class Meta:
        model = Claim
        fields = ["task", "community", "status"]

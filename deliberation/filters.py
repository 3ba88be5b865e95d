"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from deliberation.models import ConductAward, ConductRule, Convention, Issue, Meeting
from marketplace.models import ConsultationCategory


class IssueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Issue.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=ConsultationCategory.choices, label=_("Category"))

    class Meta:
        model = Issue
        fields = ["status", "category"]


class MeetingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label=_("Status"))

    class Meta:
        model = Meeting
        fields = ["status"]


class ConventionFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))

    class Meta:
        model = Convention
        fields = ["community"]


class ConductRuleFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))

    class Meta:
        model = ConductRule
        fields = ["community"]


class ConductAwardFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    status = django_filters.ChoiceFilter(choices=ConductAward.Status.choices, label=_("Status"))

    class Meta:
        model = ConductAward
        fields = ["community", "status"]

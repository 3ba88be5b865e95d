"""The one FilterSet of the applications list, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from relief.models import Application


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Application.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Application.Kind.choices, label=_("Kind of help"))
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))

    class Meta:
        model = Application
        fields = ["status", "kind", "community"]

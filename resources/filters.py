"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from resources.models import Booking, GroupActivity, Talent, Venue


class VenueFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))

    class Meta:
        model = Venue
        fields = ["community"]


class BookingFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="venue__community_id", label=_("Community"))
    venue = django_filters.NumberFilter(field_name="venue_id", label=_("Venue"))
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices, label=_("Status"))

    class Meta:
        model = Booking
        fields = ["community", "venue", "status"]


class TalentFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("Community"))
    field = django_filters.CharFilter(method="filter_field", label=_("Field"), max_length=20)

    class Meta:
        model = Talent
        fields = ["community", "field"]

    def filter_field(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(fields_key__contains=f"|{value}|") if value else queryset


class GroupActivityFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="task__community_id", label=_("Community"))
    organization = django_filters.NumberFilter(field_name="organization_id", label=_("Community group"))
    status = django_filters.ChoiceFilter(choices=GroupActivity.Status.choices, label=_("Status"))

    class Meta:
        model = GroupActivity
        fields = ["community", "organization", "status"]

"""The district admin's view of rooms, groups and talents. A room's name, size and hours may be
corrected here; bookings and handovers move only through resources.services (the overlap check
and its history), so they are read-only."""

from django.contrib import admin

from core.admin_history import HistoryInline, ReadOnlyAdmin
from resources.models import Booking, BookingStatusChange, GroupActivity, GroupActivityStatusChange, GroupFiling, Handover, Talent, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "capacity", "opens", "closes", "max_hours"]
    list_filter = ["community"]
    fields = ["name", "capacity", "opens", "closes", "max_hours", "description"]

    def has_add_permission(self, request):
        return False  # a room is added by its community's staff on the rooms page


class BookingHistoryInline(HistoryInline):
    model = BookingStatusChange


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["venue", "starts_at", "ends_at", "purpose", "status", "requester"]
    list_filter = ["status"]
    list_select_related = ["venue", "requester"]
    inlines = [BookingHistoryInline]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["venue", "organization", "weekday", "starts", "ends", "valid_from", "valid_until", "ended_at"]


@admin.register(GroupFiling)
class GroupFilingAdmin(ReadOnlyAdmin):
    list_display = ["organization", "leader", "recorded_at"]


class ActivityHistoryInline(HistoryInline):
    model = GroupActivityStatusChange


@admin.register(GroupActivity)
class GroupActivityAdmin(ReadOnlyAdmin):
    list_display = ["task", "organization", "status", "created_at"]
    list_filter = ["status"]
    inlines = [ActivityHistoryInline]


@admin.register(Talent)
class TalentAdmin(ReadOnlyAdmin):
    list_display = ["user", "community", "fields_key", "updated_at"]

"""The district admin reads deliberation here. Votes, awards and their points move only through
deliberation.services (a steward votes once; an award is paid through the ledger), so those are
read-only; stewards are appointed and conventions published on the product's own pages."""

from django.contrib import admin

from core.admin_history import HistoryInline, ReadOnlyAdmin
from deliberation.models import (
    ConductAward,
    ConductAwardStatusChange,
    ConductRule,
    Convention,
    Issue,
    Meeting,
    MeetingStatusChange,
    Motion,
    MotionStatusChange,
    Steward,
)


@admin.register(Steward)
class StewardAdmin(ReadOnlyAdmin):
    list_display = ["user", "community", "appointed_at"]
    list_filter = ["community"]
    list_select_related = ["user", "community"]


@admin.register(Issue)
class IssueAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "category", "status", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["title"]


class MeetingHistoryInline(HistoryInline):
    model = MeetingStatusChange


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "starts_at", "location", "status"]
    list_filter = ["status"]
    inlines = [MeetingHistoryInline]


class MotionHistoryInline(HistoryInline):
    model = MotionStatusChange


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ["title", "meeting", "status", "votes_for", "votes_against", "votes_abstain", "stewards_present"]
    list_filter = ["status"]
    inlines = [MotionHistoryInline]


@admin.register(Convention)
class ConventionAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "created_at"]
    search_fields = ["title"]


@admin.register(ConductRule)
class ConductRuleAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "points", "convention"]


class AwardHistoryInline(HistoryInline):
    model = ConductAwardStatusChange


@admin.register(ConductAward)
class ConductAwardAdmin(ReadOnlyAdmin):
    list_display = ["user", "rule", "points", "status", "points_paid", "created_at"]
    list_filter = ["status"]
    inlines = [AwardHistoryInline]

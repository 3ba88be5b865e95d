"""Admin for claims and reviews: read mostly; moderation goes through orders.services."""

from django.contrib import admin
from django.utils import timezone

from core.admin_history import HistoryInline
from orders.models import Bid, BidScore, Claim, ClaimStatusChange, Contract, Milestone, Review


class ClaimStatusChangeInline(HistoryInline):
    model = ClaimStatusChange
    readonly_fields = ("from_status", "to_status", "actor", "note", "created_at")


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("pk", "task", "user", "organization", "status", "credited_hours", "honour_hours", "points_awarded", "created_at")
    list_filter = ("status",)
    search_fields = ("user__username", "user__display_name", "task__title")
    list_select_related = ("task", "user", "organization")
    readonly_fields = [f.name for f in Claim._meta.fields]
    inlines = [ClaimStatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("pk", "provider", "organization", "stars", "hidden", "created_at")
    list_filter = ("hidden", "stars")
    search_fields = ("comment", "provider__username")
    readonly_fields = [f.name for f in Review._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    """Sealed bids stay out of the admin too until their project's deadline: the list shows only
    bids whose deadline has passed, and nothing is editable here."""

    list_display = ("pk", "project", "organization", "amount", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Bid._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "organization").filter(project__bid_deadline__lte=timezone.now())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    can_delete = False
    readonly_fields = ("deliverable", "due_date", "amount", "status", "evidence", "review_comment", "accepted_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("project", "organization", "amount", "status", "created_at")
    readonly_fields = [f.name for f in Contract._meta.fields]
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BidScore)
class BidScoreAdmin(admin.ModelAdmin):
    list_display = ("bid", "criterion", "scorer", "score", "updated_at")
    readonly_fields = [f.name for f in BidScore._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(bid__project__bid_deadline__lte=timezone.now())

    def has_add_permission(self, request):
        return False

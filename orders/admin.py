"""Admin for claims and reviews: read mostly; moderation goes through orders.services."""

from django.contrib import admin

from orders.models import Claim, ClaimStatusChange, Review


class ClaimStatusChangeInline(admin.TabularInline):
    model = ClaimStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "note", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


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

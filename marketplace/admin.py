"""Admin for tasks. State changes go through marketplace.services (the admin action below)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_history import HistoryInline
from core.errors import ApplicationError
from marketplace import services
from marketplace.models import Consultation, Need, Project, ProjectCriterion, Task, TaskStatusChange


class TaskStatusChangeInline(HistoryInline):
    model = TaskStatusChange
    readonly_fields = ("from_status", "to_status", "actor", "note", "created_at")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "category", "starts_at", "slots", "slots_taken", "points", "status")
    list_filter = ("status", "category", "community")
    search_fields = ("title", "description", "location")
    date_hierarchy = "starts_at"
    list_select_related = ("community",)
    raw_id_fields = ("beneficiary", "created_by")
    readonly_fields = ("status", "slots_taken", "created_by", "created_at", "updated_at")
    filter_horizontal = ("skills",)
    inlines = [TaskStatusChangeInline]
    actions = ["cancel_selected"]

    def has_add_permission(self, request):
        return False  # posted by staff on the site, where the rules are checked

    @admin.action(description=_("Cancel the selected tasks (claimants are told)"))
    def cancel_selected(self, request, queryset):
        for task in queryset:
            try:
                services.task_cancel(actor=request.user, task=task, reason="admin")
            except ApplicationError as exc:
                self.message_user(request, f"{task}: {exc.message}", messages.ERROR)


class ProjectCriterionInline(admin.TabularInline):
    model = ProjectCriterion
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "budget", "bid_deadline", "status")
    list_filter = ("status", "community")
    search_fields = ("title",)
    readonly_fields = ("status", "created_by", "created_at", "award_reason")
    inlines = [ProjectCriterionInline]

    def has_add_permission(self, request):
        return False  # published by staff on the site, where the rules are checked


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "status", "track", "urgency", "created_at")
    list_filter = ("status", "track", "community")
    search_fields = ("title",)
    readonly_fields = ("author", "status", "track", "triaged_at", "resolved_at", "created_at")


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "closes_at", "decided_at")
    readonly_fields = ("created_by", "decided_by", "decided_at")

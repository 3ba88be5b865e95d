"""Admin for needs and consultations. Tasks and projects are administered from orders, where
their claims and bids are (cancelling a task withdraws its claims; a bid locks a project's terms)."""

from django.contrib import admin

from marketplace.models import Consultation, Need


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

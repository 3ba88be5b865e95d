from django import forms
from django.contrib import admin
from django.db import models

from affairs.models import Fund, Policy, Report, ReportStatusChange, ServiceItem, SpendingLine


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "issuer", "effective_at", "community"]
    list_filter = ["category"]
    search_fields = ["title"]
    raw_id_fields = ["community", "service_item", "created_by"]
    # A link typed without a scheme is an https one (Django 6's default; no warning until then).
    formfield_overrides = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "where", "community", "online_action"]
    raw_id_fields = ["community", "created_by"]


class SpendingLineInline(admin.TabularInline):
    model = SpendingLine
    extra = 0
    can_delete = False
    readonly_fields = ["at", "amount", "what", "project", "voucher", "created_by"]

    def has_add_permission(self, request, obj=None):
        return False  # spending goes through affairs.services.spending_line_record (the balance check)


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "amount", "year", "community"]
    raw_id_fields = ["community", "created_by"]
    inlines = [SpendingLineInline]


class ReportHistoryInline(admin.TabularInline):
    model = ReportStatusChange
    extra = 0
    can_delete = False
    # Who moved it is staff; the author's own "received" row would name them: only the district admin sees actors.
    fields = ["from_status", "to_status", "note", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["tracking_no", "subject", "community", "status", "anonymous", "public", "created_at"]
    list_filter = ["status", "public", "escalated"]
    inlines = [ReportHistoryInline]

    def get_fields(self, request, obj=None):
        fields = ["tracking_no", "community", "subject", "text", "anonymous", "status", "reply", "public", "escalated", "created_at", "replied_at"]
        # The author of a report is the district admin's to see (abuse handling), nobody else's here.
        return (["author", *fields] if request.user.is_superuser else fields)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # staff answer in the workbench, where the one rule applies

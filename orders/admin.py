"""Admin for tasks and projects (with the rules their claims and bids bring: cancelling a task
withdraws its claims, a bid locks a project's terms), claims, reviews, bids and contracts: read
mostly; changes go through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_history import HistoryInline
from core.errors import ApplicationError
from marketplace import services as market_services
from marketplace.models import Project, ProjectCriterion, ProjectStatusChange, Task, TaskStatusChange
from orders import services
from orders.models import Bid, BidScore, Claim, ClaimStatusChange, Contract, Milestone, Review


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


class ProjectCriterionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        changed = any(form.has_changed() for form in self.forms) or bool(self.deleted_forms)
        if self.instance.pk and changed:
            try:
                services.require_project_terms_open(project=self.instance, criteria_changed=True)
            except ApplicationError as exc:
                raise ValidationError(str(exc.message), code=exc.code) from None


class ProjectCriterionInline(admin.TabularInline):
    """Criteria and weights: read-only once a bid exists (bidders priced against them)."""

    model = ProjectCriterion
    formset = ProjectCriterionFormSet
    extra = 0

    def _locked(self, obj) -> bool:
        return obj is not None and services.project_has_bids(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


class ProjectStatusChangeInline(HistoryInline):
    model = ProjectStatusChange
    readonly_fields = ("from_status", "to_status", "actor", "note", "created_at")


class ProjectAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if self.instance.pk:
            try:
                services.require_project_terms_open(project=self.instance, changed=set(self.changed_data))
            except ApplicationError as exc:
                raise ValidationError(str(exc.message), code=exc.code) from None
        return data


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """The deadline, budget and criteria lock once a bid exists (read-only here, and refused by
    ``services.require_project_terms_open`` if a bid came in while the form was open); every change
    made here is written to the project's history."""

    form = ProjectAdminForm
    list_display = ("title", "community", "budget", "bid_deadline", "status")
    list_filter = ("status", "community")
    search_fields = ("title",)
    readonly_fields = ("status", "created_by", "created_at", "award_reason")
    inlines = [ProjectCriterionInline, ProjectStatusChangeInline]

    def has_add_permission(self, request):
        return False  # published by staff on the site, where the rules are checked

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and services.project_has_bids(obj):
            fields += tuple(services.LOCKED_TERMS)
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            return
        parts = [str(form.fields[name].label) for name in form.changed_data if name in form.fields]
        for formset in formsets:
            if formset.model is ProjectCriterion:
                for obj in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
                    parts.append(f"{obj.name} {obj.weight}%")
                parts += [_("removed %(criterion)s") % {"criterion": obj.name} for obj in formset.deleted_objects]
        if parts:
            market_services.project_record_change(
                actor=request.user, project=form.instance, note=_("Changed in the admin: %(what)s") % {"what": "; ".join(parts)}
            )


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

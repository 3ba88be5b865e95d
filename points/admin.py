"""Admin for points. The ledger is read-only here: points move only through points.services."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_history import HistoryInline, ReadOnlyAdmin
from core.errors import ApplicationError
from points import services
from points.models import LedgerEntry, LedgerTransaction, PointsAccount, PointsRule, Redemption, RedemptionStatusChange, Reward


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "community", "user", "balance")
    list_filter = ("kind", "community")
    search_fields = ("user__username", "user__display_name", "community__name")
    list_select_related = ("community", "user")


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    readonly_fields = ("account", "amount", "balance_after", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "memo", "actor", "created_at")
    list_filter = ("kind",)
    search_fields = ("memo", "idempotency_key")
    inlines = [LedgerEntryInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):
    list_display = ("community", "daily_cap", "lifetime_cap", "reservation_days")


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "cost", "stock", "per_person_limit", "is_active")
    list_filter = ("community", "is_active")
    search_fields = ("name",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class RedemptionStatusChangeInline(HistoryInline):
    model = RedemptionStatusChange
    readonly_fields = ("from_status", "to_status", "actor", "created_at")


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ("pk", "reward", "user", "quantity", "points", "status", "created_at", "expires_at")
    list_filter = ("status", "community")
    search_fields = ("user__username", "reward__name")
    readonly_fields = [f.name for f in Redemption._meta.fields if f.name != "code"]
    exclude = ("code",)
    inlines = [RedemptionStatusChangeInline]
    actions = ["cancel_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Cancel the selected reservations (points and stock go back)"))
    def cancel_selected(self, request, queryset):
        for redemption in queryset:
            try:
                # Like a reason staff type: the person is told it as written.
                services.redemption_cancel(actor=request.user, redemption=redemption, reason=_("Cancelled by the site administrator."))
            except ApplicationError as exc:
                self.message_user(request, f"#{redemption.pk}: {exc.message}", messages.ERROR)

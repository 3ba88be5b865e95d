"""Admin for district staff. Actions that change state call the same services as pages and API."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import (
    ApiToken,
    Community,
    District,
    Membership,
    Notification,
    Organization,
    OrganizationMember,
    OrganizationStatusChange,
    Skill,
    Street,
    User,
)
from core.admin_history import HistoryInline
from core.errors import ApplicationError


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Profile"), {"fields": ("display_name", "phone", "bio", "skills")}),)
    list_display = ("username", "display_name", "phone", "is_active", "is_superuser", "date_joined")
    search_fields = ("username", "display_name", "phone")
    filter_horizontal = ("skills", "groups", "user_permissions")


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ("name", "district")
    list_filter = ("district",)
    search_fields = ("name",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user", "added_by")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "street", "created_at")
    list_filter = ("street__district", "street")
    search_fields = ("name", "street__name")
    list_select_related = ("street",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "role", "created_at")
    list_filter = ("role", "community")
    search_fields = ("user__username", "user__display_name", "community__name")
    raw_id_fields = ("user", "added_by")
    list_select_related = ("user", "community")


class OrganizationMemberInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0
    raw_id_fields = ("user",)


class OrganizationStatusChangeInline(HistoryInline):
    model = OrganizationStatusChange
    readonly_fields = ("from_status", "to_status", "actor", "reason", "created_at")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "credit_code", "status", "community", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "credit_code")
    readonly_fields = ("status", "status_changed_by", "status_changed_at", "status_reason", "created_by", "created_at")
    raw_id_fields = ("community",)
    inlines = [OrganizationMemberInline, OrganizationStatusChangeInline]
    actions = ["verify_selected"]

    @admin.action(description=_("Verify the selected organisations"))
    def verify_selected(self, request, queryset):
        done = 0
        for org in queryset:
            try:
                services.organization_verify(actor=request.user, organization=org)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{org}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(n)d organisations verified.") % {"n": done}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "message", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "message")
    raw_id_fields = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    search_fields = ("user__username", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return False  # a token's secret is shown once, to its owner, by POST /auth/token

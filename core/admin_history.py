"""A read-only inline for the history rows (who moved an object, from what, to what, when)."""

from django.contrib import admin


class HistoryInline(admin.TabularInline):
    """History is written by the services' transition functions; the admin only shows it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

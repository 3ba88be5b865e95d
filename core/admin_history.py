"""Read-only admin pieces: the history rows (who moved an object, from what, to what, when) and
whole models whose rows only services write (ledgers, votes, awards)."""

from django.contrib import admin


class HistoryInline(admin.TabularInline):
    """History is written by the services' transition functions; the admin only shows it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model whose rows move only through its services: the admin lists and opens them, no more."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

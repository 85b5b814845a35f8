from django.contrib import admin

from interests.models import Declaration, RegisterChange, RegisterEntry


@admin.register(RegisterEntry)
class RegisterEntryAdmin(admin.ModelAdmin):
    """Read-only: the register changes only through a change the monitoring officer accepts."""

    list_display = ["member", "category", "whose", "is_sensitive", "updated_at", "removed_at"]
    list_filter = ["category", "is_sensitive"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegisterChange)
class RegisterChangeAdmin(RegisterEntryAdmin):
    """Read-only: the register's history is never edited."""

    list_display = ["member", "action", "status", "proposed_at", "decided_at", "decided_by"]
    list_filter = ["status", "action"]


@admin.register(Declaration)
class DeclarationAdmin(RegisterEntryAdmin):
    """Read-only: declarations are recorded by democratic services or the member, through the service."""

    list_display = ["member", "item", "kind", "conduct", "recorded_at"]
    list_filter = ["kind", "conduct"]

"""Read-only admin view of the audit trail for information-governance leads."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from icp.audit.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin that can look but not edit: every change goes through an action, which audits."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "actor_username", "actor_role", "action", "target_type", "outcome")
    list_filter = ("action", "outcome", "actor_role")
    search_fields = ("actor_username", "action", "target_id")

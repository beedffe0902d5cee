"""Read-only admin view of care relationships: every change goes through `icp.patients.actions`."""

from __future__ import annotations

from django.contrib import admin

from icp.audit.admin import ReadOnlyAdmin
from icp.patients.models import CareRelationship


@admin.register(CareRelationship)
class CareRelationshipAdmin(ReadOnlyAdmin):
    list_display = ("patient", "kind", "organisation", "user", "starts", "ends", "source_type")
    list_filter = ("kind",)

"""Read-only admin views of the sharing data: every change goes through `icp.sharing.actions`,
which check permission and audit, so the admin can look but not edit."""

from __future__ import annotations

from django.contrib import admin

from icp.audit.admin import ReadOnlyAdmin
from icp.sharing.models import BreakGlass, DataSharingAgreement, PersonChoice


@admin.register(DataSharingAgreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "icp", "status", "start_date", "end_date", "template")
    list_filter = ("status", "icp")


@admin.register(BreakGlass)
class BreakGlassAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "user", "purpose", "review_outcome", "expires_at")
    list_filter = ("review_outcome",)


admin.site.register([PersonChoice], ReadOnlyAdmin)

"""Read-only admin views of the sharing data: every change goes through `icp.sharing.actions`,
which check permission and audit, so the admin can look but not edit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from icp.sharing.models import (
    BreakGlass,
    CareTeamMember,
    DataSharingAgreement,
    MdtList,
    PersonChoice,
    Referral,
)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataSharingAgreement)
class AgreementAdmin(ReadOnly):
    list_display = ("reference", "title", "icp", "status", "start_date", "end_date", "template")
    list_filter = ("status", "icp")


@admin.register(BreakGlass)
class BreakGlassAdmin(ReadOnly):
    list_display = ("started_at", "user", "purpose", "review_outcome", "expires_at")
    list_filter = ("review_outcome",)


admin.site.register([PersonChoice, CareTeamMember, Referral, MdtList], ReadOnly)

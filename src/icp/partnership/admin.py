"""Django admin for reference data. ICP managers see and edit their own ICP's records only.

Admin saves are recorded in the audit trail like every other change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from icp.audit.events import EventType
from icp.audit.log import record
from icp.partnership.models import (
    Area,
    ChairElection,
    Committee,
    CompositionTemplate,
    Membership,
    Organisation,
    Person,
    SeatRule,
    User,
    home_icp,
)


def _manager_icp_id(request: HttpRequest) -> int | None:
    """The ICP an ICP manager may edit, or None for superusers (all)."""
    user = request.user
    if getattr(user, "is_superuser", False):
        return None
    icp = home_icp(user)
    return icp.pk if icp is not None else -1


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records each admin save and delete as an audit event."""

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            action=EventType.ADMIN_UPDATE if change else EventType.ADMIN_CREATE,
            actor=request.user,
            target=obj,
            detail={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        record(action=EventType.ADMIN_DELETE, actor=request.user, target=obj)
        super().delete_model(request, obj)


class IcpScopedAdmin(AuditedAdmin):
    """Limits rows to the manager's ICP through `icp_lookup` (a queryset path to the ICP area id)."""

    icp_lookup = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        icp_id = _manager_icp_id(request)
        if icp_id is None:
            return queryset
        return queryset.filter(**{self.icp_lookup: icp_id})


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent", "name_is_published")
    list_filter = ("level",)
    search_fields = ("code", "name")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The area tree is national reference data: only superusers change it.
        return bool(getattr(request.user, "is_superuser", False))

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Organisation)
class OrganisationAdmin(IcpScopedAdmin):
    list_display = ("code", "name", "type", "town", "icp", "list_size")
    list_filter = ("type",)
    search_fields = ("code", "name", "town", "postcode")
    icp_lookup = "icp_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        icp_id = _manager_icp_id(request)
        if icp_id is None:
            return queryset
        return queryset.filter(Q(icp_id=icp_id) | Q(areas_served__id=icp_id)).distinct()


@admin.register(Person)
class PersonAdmin(IcpScopedAdmin):
    list_display = ("name", "professional_role", "organisation")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        icp_id = _manager_icp_id(request)
        if icp_id is None:
            return queryset
        return queryset.filter(
            Q(memberships__committee__area_id=icp_id)
            | Q(organisation__icp_id=icp_id)
            | Q(organisation__areas_served__id=icp_id)
        ).distinct()


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0


@admin.register(Committee)
class CommitteeAdmin(IcpScopedAdmin):
    list_display = ("name", "area", "template")
    icp_lookup = "area_id"
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(IcpScopedAdmin):
    list_display = ("person", "seat", "committee", "office", "start_date", "end_date")
    list_filter = ("office",)
    icp_lookup = "committee__area_id"


@admin.register(ChairElection)
class ChairElectionAdmin(IcpScopedAdmin):
    list_display = ("committee", "person", "office", "elected_on", "term_ends")
    icp_lookup = "committee__area_id"


class SeatRuleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SeatRule
    extra = 0


@admin.register(CompositionTemplate)
class CompositionTemplateAdmin(AuditedAdmin):
    list_display = ("code", "name", "chair_rule")
    inlines = [SeatRuleInline]


@admin.register(User)
class IcpUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "role", "organisation", "home_area", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("icp", {"fields": ("role", "person", "organisation", "home_area")}),
    )

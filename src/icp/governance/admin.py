"""Django admin for governance records: for looking things up and correcting data.

Pages and the API change records through the action functions; the admin is for staff, and its
saves are recorded in the audit trail like every other change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, URLField
from django.forms import ModelForm
from django.http import HttpRequest

from icp.audit.events import EventType
from icp.audit.log import record
from icp.governance import models


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        super().save_model(request, obj, form, change)
        record(
            action=EventType.ADMIN_CHANGE if change else EventType.ADMIN_ADD,
            actor=request.user,
            target=obj,
            detail={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        record(action=EventType.ADMIN_DELETE, actor=request.user, target=obj)
        super().delete_model(request, obj)


class AgendaItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.AgendaItem
    extra = 0


class AttendanceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.Attendance
    extra = 0
    autocomplete_fields = ("person", "deputy_for")


@admin.register(models.Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ("date", "committee", "mode", "status", "minutes_status", "quorate")
    list_filter = ("status", "mode", "minutes_status", "quorate", "committee__area")
    date_hierarchy = "date"
    inlines = (AgendaItemInline, AttendanceInline)
    readonly_fields = ("quorate", "quorum_note", "minutes_approved_on")
    formfield_overrides = {URLField: {"assume_scheme": "https"}}


@admin.register(models.QuorumRule)
class QuorumRuleAdmin(AuditedAdmin):
    list_display = ("committee", "share_of_filled_seats", "minimum_present", "chair_or_vice_chair_required")


@admin.register(models.Paper)
class PaperAdmin(AuditedAdmin):
    list_display = ("title", "agenda_item", "original_name", "content_type", "size", "uploaded_at")
    readonly_fields = ("file", "original_name", "content_type", "size", "sha256", "uploaded_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the checked action on the meeting page


@admin.register(models.Decision)
class DecisionAdmin(AuditedAdmin):
    list_display = ("text", "meeting", "outcome", "proposed_by")
    list_filter = ("outcome",)


@admin.register(models.ActionItem)
class ActionItemAdmin(AuditedAdmin):
    list_display = ("description", "committee", "owner", "due_date", "status")
    list_filter = ("status", "committee")
    search_fields = ("description", "owner__name")


class FundingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.FundingRequest
    extra = 0


class StaffInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.StaffRequest
    extra = 0


class BenefitInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.CaseBenefit
    extra = 0


class TransitionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.CaseTransition
    extra = 0
    can_delete = False
    readonly_fields = ("verb", "from_status", "to_status", "at", "by", "comment")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the lifecycle moves only through its actions


@admin.register(models.BusinessCase)
class BusinessCaseAdmin(AuditedAdmin):
    list_display = ("title", "icp", "priority_group", "status", "commissioning_body", "money_approved")
    list_filter = ("status", "priority_group", "icp")
    search_fields = ("title",)
    readonly_fields = ("status", "status_since", "commissioning_body", "money_approved")
    inlines = (FundingInline, StaffInline, BenefitInline, TransitionInline)


@admin.register(models.Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ("code", "name", "unit", "direction")
    search_fields = ("code", "name")


@admin.register(models.BenefitMeasurement)
class BenefitMeasurementAdmin(AuditedAdmin):
    list_display = ("benefit", "measured_on", "value", "source")


class ProjectSiteInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.ProjectSite
    extra = 0


@admin.register(models.Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ("title", "origin_icp", "lead_organisation", "start_date", "status")
    list_filter = ("status", "origin_icp")
    inlines = (ProjectSiteInline,)


class ObjectiveInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.Objective
    extra = 0


@admin.register(models.AnnualPlan)
class AnnualPlanAdmin(AuditedAdmin):
    list_display = ("icp", "year_starting", "title", "agreed_on")
    inlines = (ObjectiveInline,)


@admin.register(models.Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = ("title", "objective", "owner", "due_date", "rag")
    list_filter = ("rag", "objective__plan__icp")


class PriorityInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.StrategyPriority
    extra = 0


@admin.register(models.Strategy)
class StrategyAdmin(AuditedAdmin):
    list_display = ("title", "area", "period_start", "period_end")
    inlines = (PriorityInline,)


@admin.register(models.StrategyOutcome)
class StrategyOutcomeAdmin(AuditedAdmin):
    list_display = ("description", "priority")
    filter_horizontal = ("indicators", "projects", "business_cases")


class EchoAggregateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.EchoAggregate
    extra = 0


@admin.register(models.EchoNetwork)
class EchoNetworkAdmin(AuditedAdmin):
    list_display = ("name", "topic", "hub", "area")
    search_fields = ("name",)
    inlines = (EchoAggregateInline,)


@admin.register(models.EchoSession)
class EchoSessionAdmin(AuditedAdmin):
    list_display = ("network", "date", "topic", "case_presentations")
    list_filter = ("network",)

"""Django admin for reference data. ICP managers see and edit their own ICP's records only: the
lists show only their ICP's rows, every foreign key offers only their ICP's rows, and every save
(inline rows included) is checked to be in their ICP, refusing through `audit.deny()` otherwise.

Admin saves are recorded in the audit trail like every other change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from icp.audit.events import EventType
from icp.audit.log import deny, record
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


# What "in an ICP" means for each kind of row a manager may pick or save.
def organisations_in(icp_id: int) -> QuerySet[Organisation]:
    return Organisation.objects.filter(Q(icp_id=icp_id) | Q(areas_served__id=icp_id)).distinct()


def people_in(icp_id: int) -> QuerySet[Person]:
    return Person.objects.filter(
        Q(memberships__committee__area_id=icp_id)
        | Q(organisation__icp_id=icp_id)
        | Q(organisation__areas_served__id=icp_id)
    ).distinct()


def committees_in(icp_id: int) -> QuerySet[Committee]:
    return Committee.objects.filter(area_id=icp_id)


def areas_in(icp_id: int) -> QuerySet[Area]:
    return Area.objects.filter(pk=icp_id)


# The choices a manager gets for each foreign key, by the model it points to: only their ICP's rows.
_SCOPED_CHOICES: dict[type[Model], Callable[[int], QuerySet[Any]]] = {
    Area: areas_in,
    Organisation: organisations_in,
    Person: people_in,
    Committee: committees_in,
}


def outside_icp(icp_id: int, obj: Model, areas_served: Any = None) -> str:
    """What about `obj` lies outside the manager's ICP (`icp_id`), or '' when all of it is inside.

    A committee in another ICP's area; a membership or chair election for another ICP's committee or
    person; a membership, person or organisation pointing at another ICP's organisation or ICP; an
    organisation that would serve none of the manager's ICP (given `areas_served`, the form's choice).
    """
    checks: list[tuple[str, Any, Callable[[int], QuerySet[Any]]]] = []
    if isinstance(obj, Committee):
        checks.append(("in another ICP's area", obj.area_id, areas_in))
    if isinstance(obj, Membership | ChairElection):
        if obj.committee_id is not None:  # an inline row's committee is the form it sits in
            checks.append(("for another ICP's committee", obj.committee_id, committees_in))
        checks.append(("for a person outside the ICP", obj.person_id, people_in))
    if isinstance(obj, Membership | Person) and obj.organisation_id is not None:
        checks.append(("for an organisation outside the ICP", obj.organisation_id, organisations_in))
    if isinstance(obj, Organisation):
        if obj.icp_id is not None:
            checks.append(("in another ICP", obj.icp_id, areas_in))
        elif areas_served is not None and not any(area.pk == icp_id for area in areas_served):
            return "that does not serve the ICP"
    for what, pk, scope in checks:
        if pk is None or not scope(icp_id).filter(pk=pk).exists():
            return what
    return ""


def _refusal(request: HttpRequest, obj: Model, what: str) -> PermissionDenied:
    return deny(
        action=EventType.ADMIN_UPDATE,
        by=request.user,
        target_type=obj._meta.label_lower,
        target_id=str(obj.pk or ""),
        reason=f"an ICP manager may not save a {obj._meta.verbose_name} {what}",
        message=(
            f"You can only save {obj._meta.verbose_name_plural} of your own ICP "
            f"(this {obj._meta.verbose_name} is {what})."
        ),
    )


def _scoped_form(form_class: Any, request: HttpRequest) -> Any:
    """`form_class`, checking once the instance is built that it lies in the manager's ICP: a form
    error (and an audited refusal) otherwise. The form's own choices are already limited to the ICP;
    this catches what they cannot see (a foreign key the form does not show, an inline's parent)."""

    class IcpScopedForm(form_class):  # type: ignore[misc]
        def _post_clean(self) -> None:
            super()._post_clean()
            icp_id = _manager_icp_id(request)
            if icp_id is None or self.errors:
                return
            what = outside_icp(icp_id, self.instance, self.cleaned_data.get("areas_served"))
            if what:
                self.add_error(None, str(_refusal(request, self.instance, what)))

    return IcpScopedForm


def check_in_icp(request: HttpRequest, obj: Model) -> None:
    """The check on save behind the forms: raise PermissionDenied for a row outside the manager's ICP.
    (The form check has already refused and audited it; this stops a save that bypassed the form.)"""
    icp_id = _manager_icp_id(request)
    if icp_id is not None:
        what = outside_icp(icp_id, obj)
        if what:
            raise PermissionDenied(f"You can only save {obj._meta.verbose_name_plural} of your own ICP.")


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


class IcpScopedForeignKeys:
    """For an ICP manager, every foreign key to an area, organisation, person or committee offers only
    their own ICP's rows (so a foreign id posted by hand fails the form's own validation), and the
    form checks the row it builds is in the ICP."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        return _scoped_form(form, request)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = _scoped_form(formset.form, request)
        return formset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        icp_id = _manager_icp_id(request)
        scope = _SCOPED_CHOICES.get(db_field.related_model)
        if icp_id is not None and scope is not None:
            kwargs["queryset"] = scope(icp_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class IcpScopedAdmin(IcpScopedForeignKeys, AuditedAdmin):
    """Limits rows to the manager's ICP through `icp_lookup` (a queryset path to the ICP area id),
    limits the choices of foreign keys to it, and checks every saved row (and inline row) is in it."""

    icp_lookup = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        icp_id = _manager_icp_id(request)
        if icp_id is None:
            return queryset
        return queryset.filter(**{self.icp_lookup: icp_id})

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool) -> None:
        check_in_icp(request, obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            if inline_form.has_changed() and not formset._should_delete_form(inline_form):
                check_in_icp(request, inline_form.instance)
        super().save_formset(request, form, formset, change)


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

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        icp_id = _manager_icp_id(request)
        if icp_id is not None and db_field.name == "areas_served":
            kwargs["queryset"] = areas_in(icp_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A manager sees only their own ICP among the areas served; the links to other ICPs, which
        they cannot see, are kept as they were. A saved organisation must still be in their ICP."""
        icp_id = _manager_icp_id(request)
        organisation = form.instance
        hidden = list(organisation.areas_served.exclude(pk=icp_id)) if icp_id is not None else []
        super().save_related(request, form, formsets, change)
        if icp_id is None:
            return
        organisation.areas_served.add(*hidden)
        if not organisations_in(icp_id).filter(pk=organisation.pk).exists():
            raise PermissionDenied("You can only save organisations of your own ICP.")


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


class MembershipInline(IcpScopedForeignKeys, admin.TabularInline):  # type: ignore[type-arg]
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

"""Pages for business cases: lists per ICP and per commissioning body, a case with its lifecycle
actions, and the forms that build a case."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icp.governance import forms
from icp.governance.access import (
    COMMISSIONING_LEVELS,
    can_edit_icp,
    can_view_case,
    commissioning_body_for,
    is_member_of_icp_committee,
    is_reviewer_for,
)
from icp.governance.cases import actions as actions
from icp.governance.cases.casebook import case_rows, money_totals, time_in_stages
from icp.governance.cases.lifecycle import EDITABLE_STATUSES, TRANSITIONS, Actor, verbs_from
from icp.governance.models import BusinessCase, CaseBenefit
from icp.governance.vocab import CaseStatus
from icp.governance.web import acting_user, add_action_errors, done, form_page, require
from icp.partnership.models import Area
from icp.partnership.roles import AreaLevel


@login_required
def icp_cases(request: HttpRequest, code: str) -> HttpResponse:
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    user = acting_user(request)
    require(
        user.is_icp_manager_for(icp) or is_member_of_icp_committee(user, icp),
        "Only this ICP's committee members and managers can see its business cases.",
    )
    rows = case_rows(BusinessCase.objects.filter(icp=icp))
    requested, approved = money_totals(rows)
    context = {
        "heading": f"Business cases of {icp.name}",
        "rows": rows,
        "requested": requested,
        "approved": approved,
        "icp": icp,
        "can_create": can_edit_icp(user, icp),
        "body": commissioning_body_for(icp),
    }
    return render(request, "governance/case_list.html", context)


@login_required
def body_cases(request: HttpRequest, code: str) -> HttpResponse:
    body = get_object_or_404(Area, code=code, level__in=COMMISSIONING_LEVELS)
    user = acting_user(request)
    require(is_reviewer_for(user, body), f"Only reviewers of {body.name} can see the cases sent to it.")
    cases = BusinessCase.objects.filter(commissioning_body=body).exclude(status=CaseStatus.DRAFT)
    rows = case_rows(cases)
    requested, approved = money_totals(rows)
    context = {
        "heading": f"Business cases sent to {body.name}",
        "rows": rows,
        "requested": requested,
        "approved": approved,
        "body": body,
        "show_icp": True,
    }
    return render(request, "governance/case_list.html", context)


def _case_for(request: HttpRequest, case_id: int) -> BusinessCase:
    case = get_object_or_404(BusinessCase.objects.select_related("icp", "commissioning_body"), pk=case_id)
    user = acting_user(request)
    require(
        can_view_case(user, case.icp, case.status, case.commissioning_body),
        "You cannot see this business case.",
    )
    return case


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    user = acting_user(request)
    body = case.commissioning_body or commissioning_body_for(case.icp)
    available = []
    for transition in verbs_from(case.status):
        allowed = (
            is_reviewer_for(user, body)
            if transition.actor == Actor.REVIEWER
            else can_edit_icp(user, case.icp)
        )
        if allowed:
            available.append(transition)
    benefits = []
    for benefit in case.benefits.select_related("indicator").prefetch_related("measurements"):
        latest = benefit.measurements.order_by("-measured_on").first()
        benefits.append((benefit, latest))
    context = {
        "case": case,
        "body": body,
        "transitions": available,
        "history": case.transitions.select_related("by"),
        "stages": time_in_stages(case),
        "benefits": benefits,
        "can_edit": can_edit_icp(user, case.icp) and case.status in EDITABLE_STATUSES,
        "can_measure": can_edit_icp(user, case.icp),
        "form": forms.TransitionForm(),
    }
    return render(request, "governance/case.html", context)


@require_POST
@login_required
def case_transition(request: HttpRequest, case_id: int, verb: str) -> HttpResponse:
    case = _case_for(request, case_id)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid() or verb not in TRANSITIONS:
        done(request, "That action could not be read; nothing changed.")
        return redirect("governance:case", case_id=case.pk)
    money: Decimal | None = form.cleaned_data.get("money_approved")
    try:
        actions.transition_case(
            case=case,
            verb=verb,
            by=acting_user(request),
            comment=form.cleaned_data["comment"],
            money_approved=money,
        )
    except ValidationError as error:
        done(request, "Not done: " + " ".join(error.messages))
    else:
        done(request, f"Done: the case is now {case.get_status_display().lower()}.")
    return redirect("governance:case", case_id=case.pk)


@login_required
def case_new(request: HttpRequest, code: str) -> HttpResponse:
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    user = acting_user(request)
    require(can_edit_icp(user, icp), "Only this ICP's managers can write its business cases.")
    form = forms.CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.create_case(icp=icp, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Draft business case created. Add the resources and benefits next.")
            return redirect("governance:case", case_id=case.pk)
    back = reverse("governance:icp-cases", args=[icp.code])
    return form_page(request, form, heading=f"New business case for {icp.name}", back_url=back)


@login_required
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    user = acting_user(request)
    require(can_edit_icp(user, case.icp), "Only this ICP's managers can change its business cases.")
    initial = {f: getattr(case, f) for f in ("title", "priority_group", "problem", "proposal", "risks")}
    form = forms.CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_case(case=case, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Business case saved.")
            return redirect("governance:case", case_id=case.pk)
    return form_page(
        request, form, heading=f"Edit “{case.title}”", back_url=reverse("governance:case", args=[case.pk])
    )


def _case_part(
    request: HttpRequest, case_id: int, form_class: type[forms.NhsForm], heading: str, add: object
) -> HttpResponse:
    case = _case_for(request, case_id)
    user = acting_user(request)
    require(can_edit_icp(user, case.icp), "Only this ICP's managers can change its business cases.")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add(case=case, by=user, **form.cleaned_data)  # type: ignore[operator]
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Saved.")
            return redirect("governance:case", case_id=case.pk)
    return form_page(request, form, heading=heading, back_url=reverse("governance:case", args=[case.pk]))


@login_required
def funding_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_part(
        request, case_id, forms.FundingForm, "Add money requested for a year", actions.add_funding_request
    )


@login_required
def staff_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_part(
        request, case_id, forms.StaffForm, "Add staff requested (WTE by role)", actions.add_staff_request
    )


@login_required
def benefit_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_part(request, case_id, forms.BenefitForm, "Add an expected benefit", actions.add_benefit)


@login_required
def measurement_new(request: HttpRequest, benefit_id: int) -> HttpResponse:
    benefit = get_object_or_404(CaseBenefit.objects.select_related("case__icp", "indicator"), pk=benefit_id)
    user = acting_user(request)
    require(can_edit_icp(user, benefit.case.icp), "Only this ICP's managers can record measurements.")
    form = forms.MeasurementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.record_benefit_measurement(benefit=benefit, by=user, **form.cleaned_data)
        done(request, "Measurement recorded.")
        return redirect("governance:case", case_id=benefit.case_id)
    heading = f"Record a measured value: {benefit.indicator.name}"
    return form_page(
        request, form, heading=heading, back_url=reverse("governance:case", args=[benefit.case_id])
    )

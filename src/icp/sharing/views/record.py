"""The shared care record: patient search, the patient page, break glass, choices and access log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.audit.models import Outcome
from icp.partnership.roles import UserRole
from icp.patients.models import PatientIndex
from icp.patients.risk_lookup import risk_of
from icp.sharing import actions
from icp.sharing.access_log import ACCESS_LOG_LIMIT
from icp.sharing.access_log import entries as access_log_entries
from icp.sharing.actions import BREAK_GLASS_MINIMUM_REASON
from icp.sharing.banner import patient_banner
from icp.sharing.forms import BreakGlassForm, ChoiceForm, SearchForm
from icp.sharing.policy import OVERRIDABLE, Code, Decision, decide_many, latest_choices
from icp.sharing.record import (
    RECENT_ROWS,
    RELATED,
    SECTIONS,
    linked_sources,
    read_section,
    read_section_and_total,
)
from icp.sharing.refusals import summarise
from icp.sharing.rules import BREAK_GLASS_ROLES, purposes_for
from icp.sharing.search import search_patients
from icp.sharing.trends import trends
from icp.sharing.views import current_user, forbidden
from icp.sharing.vocabulary import NON_IDENTIFIABLE_PURPOSES, PLANNING_PURPOSES, DataCategory, Purpose

# Every audit action that is a look at one person's record (the access log lists these).
_NOT_YET_HELD: dict[str, str] = {
    # Care plans live in the care app, a floor above; the banner links to the person's care page.
    DataCategory.CARE_PLANS: "Care plans, pathways and referrals are on the person's care page.",
    DataCategory.SOCIAL_CARE: "No social care records are held in icp yet.",
    DataCategory.SAFEGUARDING: "No safeguarding records are held in icp yet.",
}


@login_required
def patient_search(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SearchForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = search_patients(user, **form.cleaned_data)
    return render(
        request,
        "sharing/search.html",
        {"form": form, "result": result, "break_glass_minimum": BREAK_GLASS_MINIMUM_REASON},
    )


def _purposes(user: Any) -> list[tuple[str, str]]:
    """The purposes for which this user could open a named record (never planning: aggregates only)."""
    allowed = purposes_for(user.role) - NON_IDENTIFIABLE_PURPOSES
    return [(value, label) for value, label in Purpose.choices if value in allowed]


# Observations are trended (latest, previous, a chart): read more of them than of other sections.
OBSERVATION_ROWS = 300


def _sections(patient: PatientIndex, decisions: dict[str, Decision]) -> list[dict[str, Any]]:
    """The sections the decisions allow, read under them (refused ones are summarised once, above)."""
    sections = []
    for category, label in DataCategory.choices:
        decision = decisions[category]
        if category == DataCategory.DEMOGRAPHICS or not decision.allowed:
            continue
        section: dict[str, Any] = {"category": category, "label": label, "decision": decision, "rows": []}
        if category in SECTIONS:
            limit = OBSERVATION_ROWS if category == DataCategory.OBSERVATIONS else RECENT_ROWS
            section["rows"], section["total"] = read_section_and_total(
                decision, patient, category, limit=limit
            )
            if category == DataCategory.OBSERVATIONS:
                section["trends"] = trends(section["rows"])
            if category in RELATED:
                section["related"] = read_section(decision, patient, category, related=True)
        else:
            section["empty_message"] = _NOT_YET_HELD.get(category, "Nothing recorded.")
        sections.append(section)
    return sections


@login_required
def patient_record(request: HttpRequest, patient_id: str) -> HttpResponse:
    """One person's record for one purpose: each section shown only when the decision allows it."""
    user = current_user(request)
    purposes = _purposes(user)
    purpose = request.GET.get("purpose") or (purposes[0][0] if purposes else Purpose.DIRECT_CARE)
    decisions = decide_many(
        user, patient_id, purpose, list(DataCategory.values), action=EventType.RECORD_READ
    )
    if all(d.code == Code.UNKNOWN_PATIENT for d in decisions.values()):
        raise Http404("No record with that id is available to you.")
    patient = PatientIndex.objects.select_related("practice", "icp").get(patient_id=patient_id)
    denied = [d for d in decisions.values() if not d.allowed]
    can_break_glass = (
        user.role in BREAK_GLASS_ROLES
        and purpose not in PLANNING_PURPOSES
        and any(d.code in OVERRIDABLE for d in denied)
    )
    # Risk scores are derived from the clinical record: shown when conditions may be seen.
    conditions = decisions[DataCategory.CONDITIONS]
    risk = None
    if conditions.allowed:
        risk = risk_of(patient)
    refusals = summarise(decisions.values())
    for refusal in refusals:
        if str(dict(DataCategory.choices)[DataCategory.CONDITIONS]) in refusal.sections:
            refusal.sections.append("Risk scores")  # derived from the conditions: shown with them
    context = {
        "patient": patient,
        "banner": patient_banner(user, patient, decisions.values(), page="sharing:patient"),
        "refusals": refusals,
        "break_glass_hours": actions.break_glass_hours(),
        "risk_page": reverse("care:person-risk", kwargs={"patient_id": patient.patient_id})
        if Purpose.RISK_STRATIFICATION in purposes_for(user.role)
        else "",
        "risk": risk,
        "risk_decision": conditions,
        "purpose": purpose,
        "purpose_label": dict(Purpose.choices).get(purpose, purpose),
        "purposes": purposes,
        "demographics": decisions[DataCategory.DEMOGRAPHICS],
        "linked_records": linked_sources(patient) if decisions[DataCategory.DEMOGRAPHICS].allowed else [],
        "sections": _sections(patient, decisions),
        "break_glass_active": any(d.break_glass for d in decisions.values()),
        "break_glass_form": BreakGlassForm() if can_break_glass else None,
        "can_record_choices": actions.can_record_choices(user, patient),
        "can_view_access_log": can_view_access_log(user, patient),
    }
    # A refused read says so in its status too (the page still explains why and offers break glass).
    status = 200 if any(d.allowed for d in decisions.values()) else 403
    return render(request, "sharing/patient.html", context, status=status)


def _patient_or_404(patient_id: str) -> PatientIndex:
    patient = PatientIndex.objects.select_related("practice", "icp").filter(patient_id=patient_id).first()
    if patient is None:
        raise Http404("No record with that id is available to you.")
    return patient


@login_required
@require_POST
def start_break_glass(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = current_user(request)
    patient = _patient_or_404(patient_id)
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return render(
            request, "sharing/break_glass_invalid.html", {"form": form, "patient": patient}, status=400
        )
    try:
        glass = actions.break_glass(patient=patient, reason=form.cleaned_data["reason"], by=user)
    except PermissionDenied as error:
        return forbidden(request, str(error))
    return redirect(
        f"{reverse('sharing:patient', kwargs={'patient_id': patient.patient_id})}?purpose={glass.purpose}"
    )


def can_view_access_log(user: Any, patient: PatientIndex) -> bool:
    """The person's registered practice (on their behalf) and their ICP's IG lead see who accessed."""
    return actions.can_record_choices(user, patient)


@login_required
def access_log(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Who looked at this person's record: for the person (through their practice) and the IG lead."""
    user = current_user(request)
    patient = _patient_or_404(patient_id)
    if not can_view_access_log(user, patient):
        refusal = deny(
            action=EventType.ACCESS_LOG_VIEW,
            by=user,
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
            reason="not the registered practice or the ICP's IG lead",
            message="Only the person's registered practice or their ICP's IG lead can see this log.",
            detail={"icp": patient.icp.code},
        )
        return forbidden(request, str(refusal))
    show_usernames = user.role == UserRole.IG_LEAD
    rows = access_log_entries(patient.patient_id, show_usernames=show_usernames)
    record(
        action=EventType.ACCESS_LOG_VIEW,
        actor=user,
        target_type="patient",
        target_id=patient.patient_id,
        patient_ref=patient.patient_id,
        detail={"icp": patient.icp.code, "events": len(rows)},
    )
    return render(
        request,
        "sharing/access_log.html",
        {
            "patient": patient,
            # Named by the opaque id only: this page makes no decision on the record itself.
            "banner": patient_banner(user, patient, [], page="sharing:access-log"),
            "rows": rows,
            "show_usernames": show_usernames,
            "limit": ACCESS_LOG_LIMIT,
        },
    )


@login_required
def choices(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A person's choices, with history, and the form their practice or IG lead records them with."""
    user = current_user(request)
    patient = _patient_or_404(patient_id)
    if not actions.can_record_choices(user, patient):
        refusal = deny(
            action=EventType.CHOICE_VIEW,
            by=user,
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
            reason="not the registered practice or the ICP's IG lead",
            message="Only the person's registered practice or their ICP's IG lead records choices.",
        )
        return forbidden(request, str(refusal))
    form = ChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_choice(patient=patient, by=user, **form.cleaned_data)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect(request.path)
    # The page shows the person and their choices: a read of their record, so it is in their log.
    record(
        action=EventType.CHOICE_VIEW,
        actor=user,
        target_type="patient",
        target_id=patient.patient_id,
        patient_ref=patient.patient_id,
        outcome=Outcome.ALLOWED,
        detail={"icp": patient.icp.code},
    )
    return render(
        request,
        "sharing/choices.html",
        {
            "patient": patient,
            # Named by the opaque id only: this page makes no decision on the record itself.
            "banner": patient_banner(user, patient, [], page="sharing:choices"),
            "form": form,
            "in_force": latest_choices(patient, timezone.localdate()),
            "history": patient.sharing_choices.select_related("recorded_by").order_by(
                "-effective_date", "-id"
            ),
        },
    )

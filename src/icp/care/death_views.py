"""Death pages: record a person's death (seeing first what it will close), and a practice's review
of its recent deaths, with any care still open (a death that came from the records, not through
this page, may have left referrals, enrolments or relationships open: closing them is one click).

Every person shown passed the access decision (direct care, demographics; audited); recording is
the `deaths.record_death` action, which only a clinician of the registered practice may take.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import refuse
from icp.care.deaths import may_record_death, open_care, record_death
from icp.partnership.models import Organisation, User
from icp.partnership.roles import CLINICAL_ROLES, OrganisationType
from icp.patients.models import PatientIndex
from icp.sharing.policy import decide, readable
from icp.sharing.vocabulary import DataCategory, Purpose

REVIEW_DAYS = 365


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _date_from(request: HttpRequest) -> date:
    """The date of death from the NHS date input's three fields, or a ValidationError naming it."""
    try:
        return date(
            int(request.POST.get("died_on_year", "")),
            int(request.POST.get("died_on_month", "")),
            int(request.POST.get("died_on_day", "")),
        )
    except ValueError:
        raise ValidationError({"died_on": "Enter the date of death as a real day, month and year."}) from None


def _entered(request: HttpRequest, patient: PatientIndex) -> dict[str, str]:
    """What the date fields show: what was typed, or the date of death already known."""
    if request.method == "POST":
        return {part: request.POST.get(f"died_on_{part}", "")[:4] for part in ("day", "month", "year")}
    known = patient.death_date
    if known is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(known.day), "month": str(known.month), "year": str(known.year)}


@login_required
def death(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = _user(request)
    category, action = DataCategory.DEMOGRAPHICS, EventType.CARE_PERSON_VIEW
    decision = decide(user, patient_id[:64], Purpose.DIRECT_CARE, category, action=action)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    patient = get_object_or_404(PatientIndex.objects.select_related("practice"), patient_id=patient_id[:64])
    error = ""
    if request.method == "POST":
        try:
            done = record_death(patient=patient, died_on=_date_from(request), by=user)
            messages.success(
                request,
                f"Death recorded. Closed: {done.relationships_closed} care relationships, "
                f"{done.referrals_cancelled} referrals, {done.enrolments_ended} pathway enrolments, "
                f"{done.care_plans_ended} care plans, {done.mdt_entries_removed} MDT list places.",
            )
            return redirect("care:death", patient_id=patient.patient_id)
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
    return render(
        request,
        "care/deaths/record.html",
        {
            "patient": patient,
            "still_open": open_care(patient),
            "may_record": may_record_death(user, patient),
            "error": error,
            "entered": _entered(request, patient),
            "today": timezone.localdate(),
        },
        status=422 if error else 200,
    )


@login_required
def practice_deaths(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    practice = get_object_or_404(Organisation, code=code, type=OrganisationType.GP_PRACTICE)
    if user.organisation_id != practice.pk or user.role not in CLINICAL_ROLES:
        refusal = "A practice's deaths are reviewed by its clinicians."
        raise refuse(user, EventType.DEATH_REVIEW, refusal, target=practice)
    since = timezone.localdate() - timedelta(days=REVIEW_DAYS)
    died = PatientIndex.objects.filter(practice=practice, death_date__gte=since).order_by("-death_date", "id")
    people, hidden = readable(
        user, list(died[:500]), lambda patient: patient, Purpose.DIRECT_CARE, DataCategory.DEMOGRAPHICS
    )
    rows = [(patient, open_care(patient)) for patient in people]
    record(
        action=EventType.DEATH_REVIEW,
        actor=user,
        target=practice,
        purpose=Purpose.DIRECT_CARE,
        detail={
            "shown": [p.patient_id for p, _open in rows],
            "care_still_open": [p.patient_id for p, still in rows if still.any],
            "hidden": hidden,
        },
    )
    return render(
        request,
        "care/deaths/practice.html",
        {"practice": practice, "rows": rows, "hidden": hidden, "since": since},
    )

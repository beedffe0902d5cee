"""JSON API for recording a death (mounted under /api/care/): what is still open, and the record.

Reading what is open is the access decision's (direct care, demographics; audited); recording is the
`deaths.record_death` action (a clinician of the registered practice; refusals audited).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from icp.audit.events import EventType
from icp.care.deaths import OpenCare, open_care, record_death
from icp.partnership.models import User
from icp.patients.models import PatientIndex
from icp.sharing.policy import decide
from icp.sharing.vocabulary import DataCategory, Purpose

router = Router(tags=["care: deaths"])


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, "Log in first.")
    return user


class DeathOut(Schema):
    patient_id: str
    died_on: date | None
    open_referrals: int
    open_enrolments: int
    active_care_plans: int
    mdt_list_places: int
    care_relationships: int


def _out(patient: PatientIndex, still: OpenCare) -> DeathOut:
    return DeathOut(
        patient_id=patient.patient_id,
        died_on=patient.death_date,
        open_referrals=still.referrals,
        open_enrolments=still.enrolments,
        active_care_plans=still.care_plans,
        mdt_list_places=still.mdt_entries,
        care_relationships=still.relationships,
    )


def _patient(user: User, patient_id: str) -> PatientIndex:
    category, action = DataCategory.DEMOGRAPHICS, EventType.CARE_PERSON_VIEW
    decision = decide(user, patient_id[:64], Purpose.DIRECT_CARE, category, action=action)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return get_object_or_404(PatientIndex, patient_id=patient_id[:64])


@router.get("/patients/{patient_id}/death", response=DeathOut, summary="A person's death and care still open")
def death(request: HttpRequest, patient_id: str) -> DeathOut:
    patient = _patient(_user(request), patient_id)
    return _out(patient, open_care(patient))


class DeathIn(Schema):
    died_on: date


@router.post(
    "/patients/{patient_id}/death",
    response=DeathOut,
    summary="Record a death: cancels referrals, ends enrolments and plans, closes relationships",
)
def record(request: HttpRequest, patient_id: str, payload: DeathIn) -> DeathOut:
    user = _user(request)
    patient = _patient(user, patient_id)
    record_death(patient=patient, died_on=payload.died_on, by=user)
    patient.refresh_from_db()
    return _out(patient, open_care(patient))

"""JSON API for a person's care: pathway enrolments (read, enrol), care plans with goals and
activities, and the care team with its coordinator and carers (mounted under /api/care/).

Every read is the access decision's (`decide_many`, audited) for the purpose the user's care work is
done for; every change is an action.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from icp.audit.events import EventType
from icp.care.access import care_purpose
from icp.care.models import CareTeamMember
from icp.care.pathways import actions as pathway_actions
from icp.care.pathways.models import Enrolment
from icp.care.plans.models import CarePlan
from icp.partnership.models import User
from icp.patients.models import PatientIndex
from icp.sharing.policy import decide_many
from icp.sharing.vocabulary import DataCategory

router = Router(tags=["care: pathways, plans and teams"])


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, "Log in first.")
    return user


def _patient(user: User, patient_id: str, category: str) -> PatientIndex:
    """The person, once the access decision allows this user the category (audited)."""
    purpose = care_purpose(user)
    if purpose is None:
        raise PermissionDenied("Your role does not do care work with people's records.")
    decision = decide_many(user, patient_id[:64], purpose, [category], action=EventType.CARE_PERSON_VIEW)[
        category
    ]
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return get_object_or_404(PatientIndex, patient_id=patient_id[:64])


class EnrolmentOut(Schema):
    id: str
    pathway: str
    pathway_version: str
    organisation: str
    reason: str
    entry_reasons: list[str]
    started_on: date
    next_review_on: date
    review_overdue: bool
    ended_on: date | None
    end_reason: str


def _enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        id=enrolment.public_id,
        pathway=enrolment.pathway,
        pathway_version=enrolment.pathway_version,
        organisation=enrolment.organisation.code,
        reason=enrolment.reason,
        entry_reasons=list(enrolment.entry_reasons),
        started_on=enrolment.started_on,
        next_review_on=enrolment.next_review_on,
        review_overdue=enrolment.open and enrolment.next_review_on < timezone.localdate(),
        ended_on=enrolment.ended_on,
        end_reason=enrolment.end_reason,
    )


@router.get("/patients/{patient_id}/enrolments", response=list[EnrolmentOut], summary="A person's pathways")
def enrolments(request: HttpRequest, patient_id: str) -> list[EnrolmentOut]:
    patient = _patient(_user(request), patient_id, DataCategory.CARE_PLANS)
    return [_enrolment_out(e) for e in patient.enrolments.select_related("organisation")]


class EnrolIn(Schema):
    pathway: str
    reason: str


@router.post("/patients/{patient_id}/enrolments", response={201: EnrolmentOut}, summary="Enrol in a pathway")
def enrol(request: HttpRequest, patient_id: str, payload: EnrolIn) -> Status[EnrolmentOut]:
    patient = get_object_or_404(PatientIndex, patient_id=patient_id[:64])
    enrolment = pathway_actions.enrol(
        patient=patient, pathway_id=payload.pathway, reason=payload.reason, by=_user(request)
    )
    return Status(201, _enrolment_out(enrolment))


class GoalOut(Schema):
    id: str
    description: str
    status: str
    target_date: date | None


class ActivityOut(Schema):
    id: str
    description: str
    step: str
    code: str
    owner: str
    due_on: date
    status: str
    overdue: bool
    outcome: str


class CarePlanOut(Schema):
    id: str
    title: str
    status: str
    pathway: str | None
    author: str
    review_on: date
    review_overdue: bool
    goals: list[GoalOut]
    activities: list[ActivityOut]


@router.get("/patients/{patient_id}/care-plans", response=list[CarePlanOut], summary="A person's care plans")
def care_plans(request: HttpRequest, patient_id: str) -> list[CarePlanOut]:
    patient = _patient(_user(request), patient_id, DataCategory.CARE_PLANS)
    today = timezone.localdate()
    plans = (
        CarePlan.objects.filter(patient=patient)
        .select_related("organisation", "enrolment")
        .prefetch_related("goals", "activities__owner_organisation")
    )
    return [
        CarePlanOut(
            id=plan.public_id,
            title=plan.title,
            status=plan.status,
            pathway=plan.enrolment.pathway if plan.enrolment else None,
            author=plan.organisation.code,
            review_on=plan.review_on,
            review_overdue=plan.review_overdue(today),
            goals=[
                GoalOut(id=g.public_id, description=g.description, status=g.status, target_date=g.target_date)
                for g in plan.goals.all()
            ],
            activities=[
                ActivityOut(
                    id=a.public_id,
                    description=a.description,
                    step=a.step,
                    code=a.code,
                    owner=a.owner_organisation.code,
                    due_on=a.due_on,
                    status=a.status,
                    overdue=a.overdue(today),
                    outcome=a.outcome,
                )
                for a in plan.activities.all()
            ],
        )
        for plan in plans
    ]


class MemberOut(Schema):
    organisation: str
    organisation_name: str
    user: str | None
    role: str
    coordinator: bool
    start_date: date


class CarerOut(Schema):
    id: str
    patient_id: str | None
    name: str
    relationship: str
    unpaid: bool


class CareTeamOut(Schema):
    members: list[MemberOut]
    carers: list[CarerOut]


@router.get(
    "/patients/{patient_id}/care-team", response=CareTeamOut, summary="A person's care team and carers"
)
def care_team(request: HttpRequest, patient_id: str) -> CareTeamOut:
    patient = _patient(_user(request), patient_id, DataCategory.CARE_PLANS)
    today = timezone.localdate()
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    members = CareTeamMember.objects.filter(current, patient=patient).select_related("organisation", "user")
    return CareTeamOut(
        members=[
            MemberOut(
                organisation=m.organisation.code,
                organisation_name=m.organisation.name,
                user=m.user.username if m.user else None,
                role=m.role,
                coordinator=m.coordinator,
                start_date=m.start_date,
            )
            for m in members
        ],
        carers=[
            CarerOut(
                id=c.public_id,
                patient_id=c.carer_patient.patient_id if c.carer_patient else None,
                name=c.name,
                relationship=c.relationship,
                unpaid=c.unpaid,
            )
            for c in patient.carers.filter(current).select_related("carer_patient")
        ],
    )

"""JSON API endpoints of the sharing app (mounted under /api/sharing/).

Every record read goes through `policy.decide` (audited), search through `search.search_patients`
(audited), and every change through `actions`. Refusals come back as 403 with the reason, which
never names a patient detail.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.measure.disclosure import disclose_count
from icp.partnership.dates import IsoDate
from icp.partnership.models import User, home_icp
from icp.partnership.roles import UserRole
from icp.patients.models import PatientIndex
from icp.sharing import actions
from icp.sharing.models import DataSharingAgreement
from icp.sharing.policy import Code, decide, decide_many, planning_opt_outs
from icp.sharing.record import SECTIONS, read_section
from icp.sharing.search import search_patients
from icp.sharing.vocabulary import DataCategory, Purpose

router = Router(tags=["sharing"])


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, "Log in first.")
    return user


class DecisionOut(Schema):
    allowed: bool
    reason: str
    code: str
    purpose: str
    category: str
    patient_id: str
    agreement: str
    relationship: str
    break_glass: bool


class PatientOut(Schema):
    patient_id: str
    given_name: str
    family_name: str
    birth_date: date | None
    sex: str
    national_id: str
    practice: str | None = Field(None, alias="practice.code")
    synthetic: bool


class SectionOut(Schema):
    category: str
    allowed: bool
    reason: str
    code: str
    rows: list[dict[str, Any]] = []


class RecordOut(Schema):
    patient_id: str
    purpose: str
    demographics: PatientOut | None = None
    sections: list[SectionOut]


class RefusalOut(Schema):
    detail: str = Field(..., description="Why the read was refused (or that no such record is available)")


class AgreementOut(Schema):
    id: int
    reference: str
    title: str
    icp: str = Field(..., alias="icp.code")
    parties: list[str]
    purposes: list[str]
    categories: list[str]
    legal_basis: str
    start_date: date
    end_date: date | None
    status: str
    effective_status: str
    template: str

    @staticmethod
    def resolve_parties(obj: DataSharingAgreement) -> list[str]:
        return sorted(obj.parties.values_list("code", flat=True))

    @staticmethod
    def resolve_effective_status(obj: DataSharingAgreement) -> str:
        return obj.effective_status(timezone.localdate())


class AgreementFromTemplateIn(Schema):
    template: str
    start_date: date | None = None


class BreakGlassIn(Schema):
    reason: str
    purpose: str = Purpose.DIRECT_CARE


class BreakGlassOut(Schema):
    id: int
    patient_id: str = Field(..., alias="patient.patient_id")
    purpose: str
    started_at: Any
    expires_at: Any
    review_outcome: str


class OptOutCountOut(Schema):
    icp: str
    as_of: date
    count: int | None
    suppressed: bool


@router.get("/decision", response=DecisionOut, summary="Ask the access decision (audited)")
def decision(
    request: HttpRequest, patient_id: str, purpose: str, category: str = DataCategory.DEMOGRAPHICS
) -> dict[str, Any]:
    answer = decide(_user(request), patient_id, purpose, category, action=EventType.API_DECISION)
    return {**answer.__dict__, "code": str(answer.code)}


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in row.items()}


@router.get(
    "/patients/{patient_id}/record",
    response={200: RecordOut, 403: RefusalOut, 404: RefusalOut},
    summary="One person's record, section by section (403 when every section is refused)",
)
def patient_record(
    request: HttpRequest, patient_id: str, purpose: str = Purpose.DIRECT_CARE
) -> dict[str, Any]:
    user = _user(request)
    decisions = decide_many(
        user, patient_id, purpose, list(DataCategory.values), action=EventType.API_RECORD_READ
    )
    if all(d.code == Code.UNKNOWN_PATIENT for d in decisions.values()):
        raise HttpError(404, "No record with that id is available to you.")
    if not any(d.allowed for d in decisions.values()):
        # A refused read is a 403 with the reason, never a 200 with empty sections.
        raise HttpError(403, decisions[DataCategory.DEMOGRAPHICS].reason)
    patient = PatientIndex.objects.select_related("practice", "icp").get(patient_id=patient_id)
    sections = []
    for category, answer in decisions.items():
        if category == DataCategory.DEMOGRAPHICS:
            continue
        rows = read_section(answer, patient, category) if answer.allowed and category in SECTIONS else []
        sections.append(
            {
                "category": category,
                "allowed": answer.allowed,
                "reason": answer.reason,
                "code": str(answer.code),
                "rows": [_json_row(r) for r in rows],
            }
        )
    demographics = patient if decisions[DataCategory.DEMOGRAPHICS].allowed else None
    return {"patient_id": patient_id, "purpose": purpose, "demographics": demographics, "sections": sections}


@router.get("/patients", response=list[PatientOut], summary="Search people you have a care relationship with")
def patients(
    request: HttpRequest, name: str = "", birth_date: IsoDate | None = None, national_id: str = ""
) -> list[PatientIndex]:
    result = search_patients(_user(request), name=name, birth_date=birth_date, national_id=national_id)
    if result.refused and not result.patients:
        raise HttpError(
            403 if "cannot search" in result.refused or "not linked" in result.refused else 400,
            result.refused,
        )
    return result.patients


@router.post(
    "/patients/{patient_id}/break-glass", response={201: BreakGlassOut}, summary="Break glass (emergency)"
)
def break_glass(request: HttpRequest, patient_id: str, payload: BreakGlassIn) -> Status[Any]:
    patient = get_object_or_404(PatientIndex, patient_id=patient_id)
    glass = actions.break_glass(
        patient=patient, reason=payload.reason, purpose=payload.purpose, by=_user(request)
    )
    return Status(201, glass)


@router.get("/agreements", response=list[AgreementOut], summary="The agreements of your ICP")
def agreements(request: HttpRequest) -> Any:
    icp = home_icp(_user(request))
    if icp is None:
        return []
    return icp.sharing_agreements.select_related("icp").order_by("reference")


@router.post("/agreements", response={201: AgreementOut}, summary="Draft an agreement from a template")
def create_agreement(request: HttpRequest, payload: AgreementFromTemplateIn) -> Status[Any]:
    user = _user(request)
    icp = home_icp(user)
    if icp is None:
        raise PermissionDenied("Your account is not linked to an ICP.")
    agreement = actions.create_agreement_from_template(
        icp=icp, template=payload.template, start_date=payload.start_date, by=user
    )
    return Status(201, agreement)


@router.post(
    "/agreements/{agreement_id}/sign", response=AgreementOut, summary="Record that all parties signed"
)
def sign_agreement(request: HttpRequest, agreement_id: int) -> Any:
    agreement = get_object_or_404(DataSharingAgreement.objects.select_related("icp"), pk=agreement_id)
    return actions.sign_agreement(agreement=agreement, by=_user(request))


@router.get("/opt-outs", response=OptOutCountOut, summary="How many people of your ICP opted out of planning")
def opt_out_count(request: HttpRequest) -> dict[str, Any]:
    """The count only, disclosure-controlled (`icp.measure.disclosure`: 1 to 7 suppressed, others
    rounded to the nearest 5): the ids themselves never leave the platform."""
    user = _user(request)
    icp = home_icp(user)
    if icp is None or user.role not in (UserRole.ICP_MANAGER, UserRole.ANALYST, UserRole.IG_LEAD):
        raise deny(
            action=EventType.OPT_OUTS_COUNT,
            by=user,
            reason="role may not see opt-out counts",
            message="Only an ICP manager, analyst or IG lead of an ICP can see its opt-out count.",
        )
    opt_outs = planning_opt_outs(icp)
    shown = disclose_count(opt_outs.count)
    record(action=EventType.OPT_OUTS_COUNT, actor=user, detail={"icp": icp.code, "count": opt_outs.count})
    return {
        "icp": icp.code,
        "as_of": opt_outs.as_of,
        "count": shown,
        "suppressed": shown is None,
    }

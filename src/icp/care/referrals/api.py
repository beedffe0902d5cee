"""JSON API for referrals and the services directory (mounted under /api/care/).

Reads go through `queries` (the access decision's referral basis, audited), changes through
`actions`. Refusals: 403 for a user whose organisation is party to neither side, 422 for a move the
table does not allow that party (with the reason), 412 for a stale `version`, 404 for an unknown id.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from icp.audit.events import EventType
from icp.care.referrals import actions, queries
from icp.care.referrals.clocks import clock
from icp.care.referrals.directory import search_services
from icp.care.referrals.models import Priority, Referral, Service
from icp.care.referrals.states import Party, targets
from icp.partnership.models import User
from icp.patients.models import PatientIndex

router = Router(tags=["care: referrals"])


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, "Log in first.")
    return user


class ServiceOut(Schema):
    id: str
    name: str
    organisation: str
    organisation_name: str
    type: str
    eligibility: str
    needs: list[str]
    capacity_per_week: int | None
    hours: str
    contact: str
    response_days: int
    completion_days: int | None
    accepts_referrals: bool


def service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        id=service.public_id,
        name=service.name,
        organisation=service.organisation.code,
        organisation_name=service.organisation.name,
        type=service.type,
        eligibility=service.eligibility,
        needs=list(service.needs),
        capacity_per_week=service.capacity_per_week,
        hours=service.hours,
        contact=service.contact,
        response_days=service.response_days,
        completion_days=service.completion_days,
        accepts_referrals=service.accepts_referrals,
    )


class ReferralOut(Schema):
    id: str
    status: str
    party: str
    patient_id: str
    patient_name: str
    requester: str
    owner: str
    service: str | None
    service_name: str
    code: str
    code_display: str
    reason: str
    needs: list[str]
    priority: str
    status_reason: str
    output: str
    replaces: str | None
    requested_at: datetime | None
    accepted_at: datetime | None
    ended_at: datetime | None
    version: int
    breach: str
    next_statuses: list[str]


def referral_out(referral: Referral, party: Party) -> ReferralOut:
    patient = referral.patient
    return ReferralOut(
        id=referral.public_id,
        status=referral.status,
        party=party.value,
        patient_id=patient.patient_id,
        patient_name=f"{patient.given_name} {patient.family_name}".strip(),
        requester=referral.requester_organisation.code,
        owner=referral.owner_organisation.code,
        service=referral.service.public_id if referral.service else None,
        service_name=referral.service_name,
        code=referral.code,
        code_display=referral.code_display,
        reason=referral.reason,
        needs=list(referral.needs),
        priority=referral.priority,
        status_reason=referral.status_reason,
        output=referral.output,
        replaces=referral.replaces.public_id if referral.replaces else None,
        requested_at=referral.requested_at,
        accepted_at=referral.accepted_at,
        ended_at=referral.ended_at,
        version=referral.version,
        breach=clock(referral, timezone.now()).breach,
        next_statuses=[t.value for t in targets(referral.task_status, party)],
    )


@router.get("/services", response=list[ServiceOut], summary="Search the services directory")
def services(request: HttpRequest, need: str = "", type: str = "", q: str = "") -> list[ServiceOut]:
    user = _user(request)
    icp = user.home_area.icp() if user.home_area_id and user.home_area else None
    return [service_out(s) for s in search_services(need=need, service_type=type, text=q, icp=icp)[:100]]


@router.get("/referrals", response=list[ReferralOut], summary="An organisation's inbox or outbox")
def referral_list(request: HttpRequest, box: str = "inbox", status: str = "") -> list[ReferralOut]:
    user = _user(request)
    if box not in ("inbox", "outbox"):
        raise HttpError(422, "box is inbox or outbox.")
    rows = queries.box(user, box)
    if status:
        rows = rows.filter(status__in=status.split(","))
    found = queries.shown(user, list(rows[:200]), EventType.REFERRAL_LIST, box=box)
    party = Party.OWNER if box == "inbox" else Party.REQUESTER
    return [referral_out(r, party) for r in found]


class BreachAlertsOut(Schema):
    inbox: int
    outbox: int


@router.get(
    "/referrals/alerts",
    response=BreachAlertsOut,
    summary="How many referrals are past their service's stated time: to you (inbox), and from you (outbox)",
)
def referral_alerts(request: HttpRequest) -> BreachAlertsOut:
    alerts = queries.breach_alerts(_user(request))
    return BreachAlertsOut(inbox=alerts.inbox, outbox=alerts.outbox)


@router.get("/referrals/{referral_id}", response=ReferralOut, summary="One referral (parties only)")
def referral_read(request: HttpRequest, referral_id: str) -> ReferralOut:
    referral, party = queries.read(_user(request), referral_id)
    return referral_out(referral, party)


class ReferralIn(Schema):
    patient_id: str
    service: str
    reason: str
    needs: list[str] = []
    priority: str = Priority.ROUTINE
    note: str = ""
    submit: bool = True


@router.post("/referrals", response={201: ReferralOut}, summary="Refer a person to a service")
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[ReferralOut]:
    user = _user(request)
    patient = get_object_or_404(PatientIndex, patient_id=payload.patient_id[:64])
    service = get_object_or_404(Service, public_id=payload.service[:32])
    referral = actions.create_referral(
        patient=patient,
        service=service,
        reason=payload.reason,
        by=user,
        needs=payload.needs,
        priority=payload.priority,
        note=payload.note,
        submit=payload.submit,
    )
    return Status(201, referral_out(referral, Party.REQUESTER))


class MoveIn(Schema):
    status: str
    reason: str = ""
    output: str = ""
    version: int | None = None


@router.post("/referrals/{referral_id}/move", response=ReferralOut, summary="Move the referral's Task")
def referral_move(request: HttpRequest, referral_id: str, payload: MoveIn) -> ReferralOut:
    user = _user(request)
    referral = get_object_or_404(Referral, public_id=referral_id[:32])
    try:
        actions.move_referral(
            referral=referral,
            to_status=payload.status,
            by=user,
            reason=payload.reason,
            output=payload.output,
            expected_version=payload.version,
        )
    except actions.VersionConflict as conflict:
        raise HttpError(412, str(conflict)) from conflict
    party = referral.party_of(user)
    assert party is not None  # move_referral refused anyone else
    return referral_out(referral, party)


class RerouteIn(Schema):
    service: str
    reason: str = ""


@router.post(
    "/referrals/{referral_id}/reroute", response={201: ReferralOut}, summary="Re-route a rejected referral"
)
def referral_reroute(request: HttpRequest, referral_id: str, payload: RerouteIn) -> Status[ReferralOut]:
    user = _user(request)
    referral = get_object_or_404(Referral, public_id=referral_id[:32])
    service = get_object_or_404(Service, public_id=payload.service[:32])
    new = actions.reroute_referral(referral=referral, to_service=service, by=user, reason=payload.reason)
    return Status(201, referral_out(new, Party.REQUESTER))

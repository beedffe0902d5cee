"""JSON API of the governance app (mounted under /api/governance/): meetings, actions, business
cases with their lifecycle transitions as POST actions, and ECHO networks with their totals.

Reads are filtered by the same access rules as the pages (`access.py`); writes call the action
functions, so permission checks and audit are the same whichever door a change comes through.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from icp.governance.access import can_view_case, can_view_committee, commissioning_body_for
from icp.governance.actions import cases as case_actions
from icp.governance.actions import meetings as meeting_actions
from icp.governance.api_echo import echo_router
from icp.governance.lifecycle import TRANSITIONS
from icp.governance.models import ActionItem, BusinessCase, Indicator, Meeting
from icp.governance.quorum import meeting_frequency
from icp.governance.vocab import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    CaseStatus,
    MeetingMode,
)
from icp.partnership.models import Area, Committee, Person, User
from icp.partnership.priorities import PriorityGroup
from icp.partnership.roles import AreaLevel

router = Router(tags=["governance"])
router.add_router("", echo_router)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class Problem(Schema):
    detail: object = Field(..., description="What was refused and why")


# Meetings ---------------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    committee: int = Field(..., alias="committee_id")
    title: str
    date: date
    start_time: time | None
    mode: str
    location: str
    video_link: str
    status: str
    minutes_status: str
    quorate: bool | None
    quorum_note: str


class MeetingIn(Schema):
    committee_id: int
    date: date
    title: str = ""
    start_time: time | None = None
    mode: MeetingMode = MeetingMode.IN_PERSON
    location: str = ""
    video_link: str = ""


class FrequencyOut(Schema):
    committee: int
    meetings_in_last_12_months: int
    since: date
    on: date
    flagged: bool


def _visible_committees(user: User) -> list[Committee]:
    return [c for c in Committee.objects.select_related("area") if can_view_committee(user, c)]


@router.get("/meetings", response=list[MeetingOut], summary="Meetings of the committees you can see")
def list_meetings(request: HttpRequest, committee: int | None = None) -> list[Meeting]:
    committees = _visible_committees(_user(request))
    if committee is not None:
        committees = [c for c in committees if c.pk == committee]
    return list(Meeting.objects.filter(committee__in=committees).order_by("-date"))


@router.post("/meetings", response={201: MeetingOut}, summary="Schedule a meeting (ICP managers of its ICP)")
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    committee = get_object_or_404(Committee, pk=payload.committee_id)
    data = payload.dict(exclude={"committee_id"})
    return Status(201, meeting_actions.schedule_meeting(committee=committee, by=_user(request), **data))


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("committee__area"), pk=meeting_id)
    if not can_view_committee(_user(request), meeting.committee):
        raise HttpError(403, "Only this committee's members and its ICP's managers can see its meetings.")
    return meeting


@router.get(
    "/committees/{committee_id}/meeting-frequency",
    response=FrequencyOut,
    summary="Meetings in the last 12 months; flagged when fewer than four",
)
def committee_frequency(request: HttpRequest, committee_id: int, on: date | None = None) -> dict[str, object]:
    committee = get_object_or_404(Committee.objects.select_related("area"), pk=committee_id)
    if not can_view_committee(_user(request), committee):
        raise HttpError(403, "Only this committee's members and its ICP's managers can see it.")
    frequency = meeting_frequency(committee, on)
    return {
        "committee": committee.pk,
        "meetings_in_last_12_months": frequency.meetings,
        "since": frequency.since,
        "on": frequency.on,
        "flagged": frequency.flagged,
    }


# Actions ----------------------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    committee: int
    meeting: int | None
    description: str
    owner: str
    owner_id: int
    due_date: date
    status: str
    overdue: bool


class ActionIn(Schema):
    committee_id: int
    description: str
    owner_id: int
    due_date: date
    meeting_id: int | None = None


class ActionStatusIn(Schema):
    status: ActionStatus
    progress_note: str = ""


def _action_out(item: ActionItem) -> dict[str, object]:
    return {
        "id": item.pk,
        "committee": item.committee_id,
        "meeting": item.meeting_id,
        "description": item.description,
        "owner": item.owner.name,
        "owner_id": item.owner_id,
        "due_date": item.due_date,
        "status": item.status,
        "overdue": item.is_overdue(),
    }


@router.get("/actions", response=list[ActionOut], summary="Actions of the committees you can see")
def list_actions(
    request: HttpRequest, committee: int | None = None, owner: int | None = None, overdue: bool = False
) -> list[dict[str, object]]:
    items = ActionItem.objects.filter(committee__in=_visible_committees(_user(request))).select_related(
        "owner"
    )
    if committee is not None:
        items = items.filter(committee_id=committee)
    if owner is not None:
        items = items.filter(owner_id=owner)
    if overdue:
        items = items.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=date.today())
    return [_action_out(item) for item in items.order_by("owner__name", "due_date")]


@router.post("/actions", response={201: ActionOut}, summary="Add an action (ICP managers of its ICP)")
def create_action(request: HttpRequest, payload: ActionIn) -> Status[dict[str, object]]:
    committee = get_object_or_404(Committee, pk=payload.committee_id)
    meeting = get_object_or_404(Meeting, pk=payload.meeting_id) if payload.meeting_id else None
    item = meeting_actions.add_action_item(
        committee=committee,
        meeting=meeting,
        description=payload.description,
        owner=get_object_or_404(Person, pk=payload.owner_id),
        due_date=payload.due_date,
        by=_user(request),
    )
    return Status(201, _action_out(item))


@router.post("/actions/{action_id}/status", response=ActionOut, summary="Update an action's status")
def update_action(request: HttpRequest, action_id: int, payload: ActionStatusIn) -> dict[str, object]:
    item = get_object_or_404(ActionItem.objects.select_related("committee__area", "owner"), pk=action_id)
    meeting_actions.update_action_item(
        action_item=item, status=payload.status, progress_note=payload.progress_note, by=_user(request)
    )
    return _action_out(item)


# Business cases ---------------------------------------------------------------------------------


class FundingLine(Schema):
    financial_year: str = Field(..., pattern=r"^\d{4}/\d{2}$")
    amount: Decimal
    recurrent: bool = False
    description: str = ""


class StaffLine(Schema):
    financial_year: str = Field(..., pattern=r"^\d{4}/\d{2}$")
    role: str
    wte: Decimal


class BenefitLine(Schema):
    description: str
    indicator: str = Field(..., description="Indicator code")
    baseline: Decimal
    target: Decimal
    baseline_period: str = ""
    target_date: date | None = None


class CaseOut(Schema):
    id: int
    title: str
    icp: str
    priority_group: str
    problem: str
    proposal: str
    risks: str
    status: str
    status_since: str
    commissioning_body: str | None
    money_requested: Decimal
    money_approved: Decimal | None
    funding: list[FundingLine]
    staff: list[StaffLine]
    benefits: list[BenefitLine]
    allowed_transitions: list[str]


class CaseIn(Schema):
    icp: str = Field(..., description="ICP code, e.g. NI-NOR-CA")
    title: str
    priority_group: PriorityGroup
    problem: str
    proposal: str
    risks: str = ""
    funding: list[FundingLine] = []
    staff: list[StaffLine] = []
    benefits: list[BenefitLine] = []


class TransitionIn(Schema):
    comment: str = ""
    money_approved: Decimal | None = None


def _case_out(case: BusinessCase) -> dict[str, object]:
    body = case.commissioning_body or commissioning_body_for(case.icp)
    return {
        "id": case.pk,
        "title": case.title,
        "icp": case.icp.code,
        "priority_group": case.priority_group,
        "problem": case.problem,
        "proposal": case.proposal,
        "risks": case.risks,
        "status": case.status,
        "status_since": case.status_since.isoformat(),
        "commissioning_body": body.code if body else None,
        "money_requested": case.money_requested,
        "money_approved": case.money_approved,
        "funding": list(case.funding_requests.values("financial_year", "amount", "recurrent", "description")),
        "staff": list(case.staff_requests.values("financial_year", "role", "wte")),
        "benefits": [
            {
                "description": b.description,
                "indicator": b.indicator.code,
                "baseline": b.baseline,
                "target": b.target,
                "baseline_period": b.baseline_period,
                "target_date": b.target_date,
            }
            for b in case.benefits.select_related("indicator")
        ],
        "allowed_transitions": [verb for verb, t in TRANSITIONS.items() if case.status in t.sources],
    }


@router.get("/business-cases", response=list[CaseOut], summary="Business cases you can see")
def list_cases(
    request: HttpRequest, icp: str | None = None, body: str | None = None, status: CaseStatus | None = None
) -> list[dict[str, object]]:
    user = _user(request)
    cases = BusinessCase.objects.select_related("icp__parent", "commissioning_body")
    if icp:
        cases = cases.filter(icp__code=icp)
    if body:
        cases = cases.filter(commissioning_body__code=body)
    if status:
        cases = cases.filter(status=status)
    return [_case_out(c) for c in cases if can_view_case(user, c.icp, c.status, c.commissioning_body)]


@router.get("/business-cases/{case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: int) -> dict[str, object]:
    case = get_object_or_404(BusinessCase.objects.select_related("icp", "commissioning_body"), pk=case_id)
    if not can_view_case(_user(request), case.icp, case.status, case.commissioning_body):
        raise HttpError(403, "You cannot see this business case.")
    return _case_out(case)


@router.post("/business-cases", response={201: CaseOut}, summary="Write a draft business case (ICP managers)")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, object]]:
    from django.db import transaction

    user = _user(request)
    icp = get_object_or_404(Area, code=payload.icp, level=AreaLevel.ICP)
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=[b.indicator for b in payload.benefits])
    }
    unknown = sorted({b.indicator for b in payload.benefits} - set(indicators))
    if unknown:
        raise HttpError(422, f"Unknown indicator code(s): {', '.join(unknown)}")
    with transaction.atomic():
        case = case_actions.create_case(
            icp=icp,
            title=payload.title,
            priority_group=payload.priority_group,
            problem=payload.problem,
            proposal=payload.proposal,
            risks=payload.risks,
            by=user,
        )
        for line in payload.funding:
            case_actions.add_funding_request(case=case, by=user, **line.dict())
        for staff in payload.staff:
            case_actions.add_staff_request(case=case, by=user, **staff.dict())
        for benefit in payload.benefits:
            data = benefit.dict()
            data["indicator"] = indicators[data["indicator"]]
            case_actions.add_benefit(case=case, by=user, **data)
    return Status(201, _case_out(case))


@router.post(
    "/business-cases/{case_id}/transitions/{verb}",
    response={200: CaseOut, 403: Problem, 409: Problem, 422: Problem},
    summary="Move a case through its lifecycle: submit, resubmit, start_review, approve, decline, "
    "return_for_changes, start_implementation, record_evaluation, close",
)
def transition(request: HttpRequest, case_id: int, verb: str, payload: TransitionIn) -> dict[str, object]:
    user = _user(request)
    case = get_object_or_404(BusinessCase.objects.select_related("icp", "commissioning_body"), pk=case_id)
    if not can_view_case(user, case.icp, case.status, case.commissioning_body):
        raise HttpError(403, "You cannot see this business case.")
    try:
        case_actions.transition_case(
            case=case, verb=verb, by=user, comment=payload.comment, money_approved=payload.money_approved
        )
    except case_actions.IllegalTransition as error:
        raise HttpError(409, " ".join(error.messages)) from error
    case.refresh_from_db()
    return _case_out(case)

"""JSON API for business cases (mounted under /api/governance/): drafts with their resources and
benefits, and the lifecycle transitions as POST actions. Writes call the case actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from icp.governance.access import can_view_case, commissioning_body_for
from icp.governance.cases import actions as case_actions
from icp.governance.cases.lifecycle import TRANSITIONS
from icp.governance.models import BusinessCase, Indicator
from icp.governance.vocab import (
    CaseStatus,
)
from icp.governance.web import acting_user as _user
from icp.partnership.models import Area
from icp.partnership.priorities import PriorityGroup
from icp.partnership.roles import AreaLevel

router = Router(tags=["governance"])


class Problem(Schema):
    detail: object = Field(..., description="What was refused and why")


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

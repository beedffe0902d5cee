"""Actions on business cases: create and edit (draft or returned only), resources and benefits,
the lifecycle transitions of `lifecycle.py`, and benefit measurements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.governance.access import commissioning_body_for, is_reviewer_for, require_icp_manager
from icp.governance.cases.lifecycle import EDITABLE_STATUSES, TRANSITIONS, Actor
from icp.governance.models import (
    BenefitMeasurement,
    BusinessCase,
    CaseBenefit,
    CaseTransition,
    FundingRequest,
    Indicator,
    StaffRequest,
)
from icp.governance.vocab import CaseStatus
from icp.partnership.models import Area, Organisation, Person, User
from icp.partnership.roles import AreaLevel


class IllegalTransition(ValidationError):
    """A lifecycle step that the case's current status does not allow."""


def _require_editable(case: BusinessCase) -> None:
    if case.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This case is {case.get_status_display().lower()}: its content can be changed only while it is "
            "a draft or has been returned for changes."
        )


def create_case(
    *,
    icp: Area,
    title: str,
    priority_group: str,
    problem: str,
    proposal: str,
    by: User,
    risks: str = "",
    sponsors: Iterable[Person] = (),
    partner_organisations: Iterable[Organisation] = (),
) -> BusinessCase:
    if icp.level != AreaLevel.ICP:
        raise ValidationError({"icp": f"{icp} is not an ICP."})
    require_icp_manager(by, icp, EventType.BUSINESS_CASE_CREATE, icp, "business cases")
    case = BusinessCase(
        icp=icp,
        title=title,
        priority_group=priority_group,
        problem=problem,
        proposal=proposal,
        risks=risks,
        status=CaseStatus.DRAFT,
        status_since=timezone.now(),
        created_by=by,
    )
    case.full_clean()
    with transaction.atomic():
        case.save()
        case.sponsors.set(list(sponsors))
        case.partner_organisations.set(list(partner_organisations))
        record(
            action=EventType.BUSINESS_CASE_CREATE,
            actor=by,
            target=case,
            detail={"icp": icp.code, "title": title},
        )
    return case


_EDITABLE_FIELDS = frozenset({"title", "priority_group", "problem", "proposal", "risks"})


def update_case(*, case: BusinessCase, by: User, **changes: Any) -> BusinessCase:
    unknown = set(changes) - _EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            f"Cannot change {', '.join(sorted(unknown))}; editable: {', '.join(sorted(_EDITABLE_FIELDS))}"
        )
    require_icp_manager(by, case.icp, EventType.BUSINESS_CASE_UPDATE, case, "business cases")
    _require_editable(case)
    for name, value in changes.items():
        setattr(case, name, value)
    case.full_clean()
    with transaction.atomic():
        case.save()
        record(
            action=EventType.BUSINESS_CASE_UPDATE, actor=by, target=case, detail={"fields": sorted(changes)}
        )
    return case


def add_funding_request(
    *,
    case: BusinessCase,
    financial_year: str,
    amount: Decimal,
    by: User,
    recurrent: bool = False,
    description: str = "",
) -> FundingRequest:
    require_icp_manager(by, case.icp, EventType.BUSINESS_CASE_FUNDING, case, "business cases")
    _require_editable(case)
    line = FundingRequest(
        case=case, financial_year=financial_year, amount=amount, recurrent=recurrent, description=description
    )
    line.full_clean()
    with transaction.atomic():
        line.save()
        record(
            action=EventType.BUSINESS_CASE_FUNDING,
            actor=by,
            target=case,
            detail={"year": financial_year, "amount": str(amount)},
        )
    return line


def add_staff_request(
    *, case: BusinessCase, financial_year: str, role: str, wte: Decimal, by: User
) -> StaffRequest:
    require_icp_manager(by, case.icp, EventType.BUSINESS_CASE_STAFF, case, "business cases")
    _require_editable(case)
    line = StaffRequest(case=case, financial_year=financial_year, role=role, wte=wte)
    line.full_clean()
    with transaction.atomic():
        line.save()
        record(
            action=EventType.BUSINESS_CASE_STAFF,
            actor=by,
            target=case,
            detail={"role": role, "wte": str(wte)},
        )
    return line


def add_benefit(
    *,
    case: BusinessCase,
    description: str,
    indicator: Indicator,
    baseline: Decimal,
    target: Decimal,
    by: User,
    baseline_period: str = "",
    target_date: date | None = None,
) -> CaseBenefit:
    require_icp_manager(by, case.icp, EventType.BUSINESS_CASE_BENEFIT, case, "business cases")
    _require_editable(case)
    benefit = CaseBenefit(
        case=case,
        description=description,
        indicator=indicator,
        baseline=baseline,
        baseline_period=baseline_period,
        target=target,
        target_date=target_date,
    )
    benefit.full_clean()
    with transaction.atomic():
        benefit.save()
        record(
            action=EventType.BUSINESS_CASE_BENEFIT,
            actor=by,
            target=case,
            detail={"indicator": indicator.code},
        )
    return benefit


def transition_case(
    *,
    case: BusinessCase,
    verb: str,
    by: User,
    comment: str = "",
    money_approved: Decimal | None = None,
) -> BusinessCase:
    """Move a case one step through its lifecycle, or refuse with a clear message."""
    transition = TRANSITIONS.get(verb)
    if transition is None:
        raise IllegalTransition(
            f"{verb!r} is not a business-case action; expected one of {', '.join(TRANSITIONS)}."
        )
    if case.status not in transition.sources:
        allowed = " or ".join(CaseStatus(s).label.lower() for s in transition.sources)
        raise IllegalTransition(
            f"Cannot {transition.label.lower()}: this case is {case.get_status_display().lower()}, "
            f"and only a case that is {allowed} can be moved this way."
        )
    event = EventType(f"business_case.{verb}")  # one event type per lifecycle verb
    body = case.commissioning_body or commissioning_body_for(case.icp)
    if transition.actor == Actor.REVIEWER and not is_reviewer_for(by, body):
        raise deny(
            action=event,
            by=by,
            target=case,
            reason="not a reviewer of the commissioning body",
            message=(
                f"Only a reviewer of {body or 'the commissioning body'} can "
                f"{transition.label.lower()} this case."
            ),
        )
    if transition.actor == Actor.ICP_MANAGER:
        require_icp_manager(by, case.icp, event, case, "business cases")
    if transition.comment_required and not comment.strip():
        raise ValidationError({"comment": f"Say why: a comment is required to {transition.label.lower()}."})
    if verb == "submit":
        if body is None:
            raise ValidationError(f"{case.icp} has no LCG area or ICB above it to send the case to.")
        if not case.funding_requests.exists() and not case.staff_requests.exists():
            raise ValidationError(
                "Add the resources requested (money by year or staff by role) before submitting."
            )
        if not case.benefits.exists():
            raise ValidationError(
                "Add at least one expected benefit, tied to an indicator, before submitting."
            )
    if verb == "approve":
        if money_approved is None:
            money_approved = case.money_requested
        if money_approved < 0:
            raise ValidationError({"money_approved": "The amount approved cannot be negative."})
    now = timezone.now()
    with transaction.atomic():
        step = CaseTransition.objects.create(
            case=case,
            verb=verb,
            from_status=case.status,
            to_status=transition.target,
            at=now,
            by=by,
            comment=comment,
        )
        case.status = transition.target
        case.status_since = now
        fields = ["status", "status_since"]
        if verb == "submit":
            case.commissioning_body = body
            fields.append("commissioning_body")
        if verb == "approve":
            case.money_approved = money_approved
            fields.append("money_approved")
        case.save(update_fields=fields)
        record(
            action=event,
            actor=by,
            target=case,
            detail={
                "from": step.from_status,
                "to": step.to_status,
                "comment": comment,
                "money_approved": str(money_approved) if verb == "approve" else None,
            },
        )
    return case


def record_benefit_measurement(
    *, benefit: CaseBenefit, measured_on: date, value: Decimal, by: User, note: str = ""
) -> BenefitMeasurement:
    """Enter a measured value of a benefit's indicator by hand."""
    require_icp_manager(by, benefit.case.icp, EventType.BENEFIT_MEASURE, benefit.case, "business cases")
    measurement = BenefitMeasurement(
        benefit=benefit, measured_on=measured_on, value=value, note=note, entered_by=by
    )
    measurement.full_clean()
    with transaction.atomic():
        measurement.save()
        record(
            action=EventType.BENEFIT_MEASURE,
            actor=by,
            target=benefit.case,
            detail={"benefit": benefit.pk, "measured_on": str(measured_on), "value": str(value)},
        )
    return measurement

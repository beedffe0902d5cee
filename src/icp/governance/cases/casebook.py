"""Reading business cases: money requested and approved, and the time spent in each stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from icp.governance.models import BusinessCase
from icp.governance.vocab import CaseStatus


@dataclass(frozen=True)
class StageTime:
    status: str
    label: str
    duration: timedelta
    current: bool

    @property
    def days(self) -> int:
        return self.duration.days


def time_in_stages(case: BusinessCase, now: datetime | None = None) -> list[StageTime]:
    """Days spent in each status, from the transition history (the current stage runs to now)."""
    now = now or timezone.now()
    steps = list(case.transitions.order_by("at", "id"))
    totals: dict[str, timedelta] = {}
    entered, status = case.created_at, CaseStatus.DRAFT.value
    for step in steps:
        totals[status] = totals.get(status, timedelta()) + (step.at - entered)
        entered, status = step.at, step.to_status
    totals[status] = totals.get(status, timedelta()) + (now - entered)
    return [
        StageTime(s, CaseStatus(s).label, totals[s], current=(s == case.status))
        for s in CaseStatus.values
        if s in totals
    ]


@dataclass(frozen=True)
class CaseRow:
    case: BusinessCase
    requested: Decimal
    approved: Decimal | None
    stages: list[StageTime]

    @property
    def days_in_current_stage(self) -> int:
        return next((s.days for s in self.stages if s.current), 0)


def case_rows(cases: QuerySet[BusinessCase]) -> list[CaseRow]:
    rows = []
    for case in cases.select_related("icp", "commissioning_body").prefetch_related(
        "funding_requests", "transitions"
    ):
        rows.append(CaseRow(case, case.money_requested, case.money_approved, time_in_stages(case)))
    return rows


def money_totals(rows: list[CaseRow]) -> tuple[Decimal, Decimal]:
    requested = sum((r.requested for r in rows), Decimal("0"))
    approved = sum((r.approved or Decimal("0") for r in rows), Decimal("0"))
    return requested, approved

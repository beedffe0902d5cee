"""A business case's expected benefits beside what the published indicators measured, and the
targets the ICP's business cases set, which the indicators page judges assurance against.

A benefit names a governance `Indicator`; when its `code` is the id of one of icp's indicator
definitions (`emergency_admissions_75`, `falls_admissions_65`, ...), the measured change is read from
the ICP's published, disclosure-controlled monthly table (`month_icp`): the mean of the months in
the year before the project started (the case's `start_implementation`) against the mean of the
months since, at most twelve, suppressed months left out. The expected change is the benefit's
target less its baseline. Both are shown side by side, with whether the measured change went the
way the indicator improves. A difference of means is a description, not an evaluation: it cannot
tell the project's effect from everything else that changed (docs/evaluation.md, `icp evaluate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from icp.evaluation.published import catalogue, is_synthetic, table
from icp.governance.cases.models import BusinessCase, CaseBenefit
from icp.governance.vocab import CaseStatus

WINDOW_MONTHS = 12
# A case whose benefits are the ICP's commitments: approved, being delivered or being evaluated.
COMMITTED = (CaseStatus.APPROVED, CaseStatus.IN_IMPLEMENTATION, CaseStatus.EVALUATED)


@dataclass(frozen=True)
class MeasuredChange:
    indicator: str
    unit: str
    started: date | None  # when the project started (None: not started yet)
    before: float | None  # mean of the published months in the year before it started
    before_months: int
    after: float | None  # mean of the published months since (at most twelve)
    after_months: int
    change: float | None
    expected_change: float
    improving: bool | None  # did the measured change go the way the indicator improves?
    synthetic: bool


def _mean(rows: pd.DataFrame) -> tuple[float | None, int]:
    shown = rows[~rows["suppressed"].astype(bool) & rows["rate"].notna()]
    return (float(shown["rate"].mean()) if len(shown) else None), len(shown)


def measured_change(
    *,
    indicator_code: str,
    icp_code: str,
    started: date | None,
    baseline: float,
    target: float,
    folder: Path | None = None,
) -> MeasuredChange | None:
    """The measured change of one benefit's indicator, or None when icp does not compute it."""
    info = catalogue().get(indicator_code)
    if info is None:
        return None
    months = table("month_icp", icp_code, folder)
    rows = months[months["indicator"] == indicator_code] if not months.empty else months
    before = after = None
    before_n = after_n = 0
    if started is not None and not rows.empty:
        day = pd.to_datetime(rows["period"]).dt.date
        start_month = started.replace(day=1)
        year_before = date(start_month.year - 1, start_month.month, 1)
        before, before_n = _mean(rows[(day >= year_before) & (day < start_month)])
        since = rows[day >= start_month].assign(day=day).sort_values("day").head(WINDOW_MONTHS)
        after, after_n = _mean(since)
    change = after - before if before is not None and after is not None else None
    improving = None
    if change is not None and info.improvement in ("up", "down") and change != 0:
        improving = (change > 0) == (info.improvement == "up")
    return MeasuredChange(
        indicator=indicator_code,
        unit=info.unit,
        started=started,
        before=before,
        before_months=before_n,
        after=after,
        after_months=after_n,
        change=change,
        expected_change=target - baseline,
        improving=improving,
        synthetic=is_synthetic(rows) if not rows.empty else False,
    )


@dataclass(frozen=True)
class Target:
    value: float
    case: str  # the business case's title, to say where the target comes from
    by: date | None


def targets_for(icp_code: str) -> dict[str, Target]:
    """Each indicator's target, from the ICP's committed business cases' benefits (the latest case
    that names the indicator wins); only indicators icp computes."""
    known = catalogue()
    benefits = (
        CaseBenefit.objects.filter(case__icp__code=icp_code, case__status__in=COMMITTED)
        .select_related("indicator", "case")
        .order_by("case__status_since", "id")
    )
    return {
        b.indicator.code: Target(float(b.target), b.case.title, b.target_date)
        for b in benefits
        if b.indicator.code in known
    }


def project_start(case: BusinessCase | Any) -> date | None:
    """When the case's project started: its `start_implementation` move, if it has had one."""
    moved = case.transitions.filter(verb="start_implementation").order_by("at").first()
    return moved.at.date() if moved is not None else None

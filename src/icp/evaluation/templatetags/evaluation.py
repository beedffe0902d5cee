"""Template helpers for other apps' pages: the evaluation report linked from a meeting's papers, and a
business case benefit's measured change beside the expected one (the governance link)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from icp.evaluation.benefits import measured_change, project_start

register = template.Library()


@register.filter
def quarter_before(day: date) -> str:
    """The last calendar quarter ended before ``day``: the one a meeting on that day reviews."""
    quarter = (day.month - 1) // 3  # the quarter `day` is in, from 0; the one before it ended already
    if quarter == 0:
        return f"{day.year - 1}-Q4"
    return f"{day.year}-Q{quarter}"


@register.simple_tag
def benefit_measured(benefit: Any) -> dict[str, Any]:
    """The benefit's expected change (target less baseline) and what the published indicators
    measured (None when icp does not compute its indicator)."""
    case = benefit.case
    return {
        "expected": benefit.target - benefit.baseline,
        "measured": measured_change(
            indicator_code=benefit.indicator.code,
            icp_code=case.icp.code,
            started=project_start(case),
            baseline=float(benefit.baseline),
            target=float(benefit.target),
        ),
    }

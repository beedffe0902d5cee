"""A business case names its expected benefits as indicators: its page shows the measured change
(published monthly means, the year before the project started against the months since) beside the
expected one, and its target becomes the indicator's target on the indicators page, with the Making
Data Count assurance icon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from django.test import Client
from django.utils import timezone

from icp.evaluation.benefits import measured_change, project_start, targets_for
from icp.governance.cases.models import BusinessCase, CaseBenefit, CaseTransition, Indicator
from icp.governance.vocab import CaseStatus, IndicatorDirection
from icp.partnership.models import Area, User
from icp.partnership.priorities import PriorityGroup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published")]
STARTED = dt.date(2025, 7, 1)  # the published admissions fall by a quarter from July 2025 (tables.py)


def _case(icp: Area, status: str, title: str, *, started: dt.date | None = STARTED) -> BusinessCase:
    case = BusinessCase.objects.create(
        title=title,
        icp=icp,
        priority_group=PriorityGroup.FRAIL_ELDERLY,
        problem="Too many emergency admissions of older people (synthetic)",
        proposal="Frailty MDTs in every practice (synthetic)",
        status=status,
        status_since=timezone.now(),
    )
    if started is not None:
        CaseTransition.objects.create(
            case=case,
            verb="start_implementation",
            from_status=CaseStatus.APPROVED,
            to_status=CaseStatus.IN_IMPLEMENTATION,
            at=timezone.make_aware(dt.datetime.combine(started, dt.time(9))),
        )
    return case


def _benefit(case: BusinessCase, code: str, baseline: str, target: str) -> CaseBenefit:
    indicator, _ = Indicator.objects.get_or_create(
        code=code,
        defaults={"name": code, "unit": "per 1,000", "direction": IndicatorDirection.LOWER_IS_BETTER},
    )
    return CaseBenefit.objects.create(
        case=case,
        description=f"Fewer admissions ({code})",
        indicator=indicator,
        baseline=Decimal(baseline),
        target=Decimal(target),
    )


def test_the_measured_change_is_the_difference_of_the_published_means(
    published: Path, icp_area: Area
) -> None:
    case = _case(icp_area, CaseStatus.IN_IMPLEMENTATION, "Frailty MDTs (synthetic)")
    assert project_start(case) == STARTED
    found = measured_change(
        indicator_code="emergency_admissions_65",
        icp_code=icp_area.code,
        started=STARTED,
        baseline=21.0,
        target=17.0,
    )
    assert found is not None
    # By hand from the published table: July 2024 to June 2025, against July 2025 to March 2026.
    rows = pd.read_parquet(published / "month_icp.parquet")
    rows = rows[(rows["indicator"] == "emergency_admissions_65") & ~rows["suppressed"].astype(bool)]
    period = pd.to_datetime(rows["period"])
    before = rows[(period >= "2024-07-01") & (period < "2025-07-01")]["rate"]
    after = rows[period >= "2025-07-01"]["rate"]
    assert (found.before_months, found.after_months) == (12, 9)
    assert found.before == pytest.approx(before.mean()) and found.after == pytest.approx(after.mean())
    assert found.change == pytest.approx(after.mean() - before.mean()) and found.change < 0
    assert found.expected_change == -4.0 and found.improving is True and found.synthetic is True


def test_a_project_not_started_or_an_indicator_icp_does_not_compute_is_said_so(icp_area: Area) -> None:
    not_started = measured_change(
        indicator_code="emergency_admissions_65", icp_code=icp_area.code, started=None, baseline=1, target=0
    )
    assert not_started is not None and not_started.change is None and not_started.started is None
    assert (
        measured_change(
            indicator_code="smiles_per_hour", icp_code=icp_area.code, started=STARTED, baseline=1, target=2
        )
        is None
    )


def test_the_case_page_shows_measured_beside_expected(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    case = _case(icp_area, CaseStatus.IN_IMPLEMENTATION, "Frailty MDTs (synthetic)")
    _benefit(case, "emergency_admissions_65", "21", "17")
    _benefit(case, "hand_counted_thing", "10", "12")
    html = logged_in(manager).get(f"/governance/cases/{case.pk}/").content.decode()
    assert "Expected: -4" in html and "Measured: -" in html and "Improving" in html
    assert "over 12 months before Jul 2025" in html and "synthetic data" in html
    assert "Measured: entered by hand only" in html


def test_committed_cases_set_the_targets_the_indicators_page_judges_assurance_against(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    _benefit(
        _case(icp_area, CaseStatus.DRAFT, "A draft (synthetic)", started=None),
        "emergency_admissions_65",
        "21",
        "5",
    )
    assert targets_for(icp_area.code) == {}  # a draft commits the ICP to nothing
    approved = _case(icp_area, CaseStatus.APPROVED, "Frailty MDTs (synthetic)", started=None)
    _benefit(approved, "emergency_admissions_65", "21", "40")
    targets = targets_for(icp_area.code)
    assert (
        targets["emergency_admissions_65"].value == 40.0
        and targets["emergency_admissions_65"].case == approved.title
    )

    html = logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/").content.decode()
    assert "Target 40, set by the business case “Frailty MDTs (synthetic)”." in html
    # Admissions run near 16 to 21 per 1,000 with limits well under 40, and lower is better: the
    # process will consistently meet a target of 40.
    assert "Assurance: the process will consistently meet the target" in html

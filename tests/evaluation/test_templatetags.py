"""A meeting reviews the last calendar quarter that ended before it."""

from __future__ import annotations

from datetime import date

import pytest

from icp.evaluation.templatetags.evaluation import quarter_before


@pytest.mark.parametrize(
    ("day", "quarter"),
    [(date(2026, 5, 12), "2026-Q1"), (date(2026, 1, 20), "2025-Q4"), (date(2026, 12, 31), "2026-Q3")],
)
def test_the_quarter_before_a_meeting(day: date, quarter: str) -> None:
    assert quarter_before(day) == quarter

"""The months an indicator run reports, and the 31 March each is scored at (the latest on or before
its last day): every month's score date is one the run computes scores for."""

from __future__ import annotations

import datetime as dt

from icp.measure.indicators.cells import Months


def test_a_march_is_scored_at_its_own_31_march() -> None:
    months = Months(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert months.lasts() == [
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
        dt.date(2025, 4, 30),
    ]
    assert months.score_dates() == [dt.date(2024, 3, 31), dt.date(2025, 3, 31)]


def test_every_months_score_date_is_computed() -> None:
    months = Months(dt.date(2023, 4, 1), dt.date(2026, 3, 1))
    named = set(
        months.table().execute()["score_date"].map(lambda day: day.date() if hasattr(day, "date") else day)
    )
    assert named <= set(months.score_dates())
    assert dt.date(2026, 3, 31) in months.score_dates()  # the last March: it was missing

"""The months an indicator run reports, and the 31 March each is scored at (the latest on or before
its last day): every month's score date is one the run computes scores for."""

from __future__ import annotations

import datetime as dt

from icp.measure.indicators.cells import Months, followed_months


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


def test_a_month_is_reported_once_the_records_cover_it_and_its_follow_up() -> None:
    months = Months(dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    # Records to 31 March: every month is over; a 30-day follow-up reaches 29 March only for
    # February's last discharge (28 Feb + 29 days), so March is not yet reported.
    assert followed_months(months, 1, dt.date(2026, 3, 31)) == months.firsts()
    assert followed_months(months, 30, dt.date(2026, 3, 31)) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    # Records stopping on 12 March: March is not over, so no indicator reports it.
    assert followed_months(months, 1, dt.date(2026, 3, 12)) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert followed_months(months, 30, dt.date(2026, 3, 12)) == [dt.date(2026, 1, 1)]
    assert followed_months(months, 1, None) == []

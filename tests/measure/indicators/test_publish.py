"""A year row is a whole financial year: twelve reported months (a snapshot's year, its March).
A part-year would read as a year's rate short by the months missing."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from icp.measure.indicators.cells import Months
from icp.measure.indicators.definition import indicator
from icp.measure.indicators.publish import rolled, whole_years


def _cells(months: list[dt.date]) -> pd.DataFrame:
    """One ICP, one cell a month: 10 events among 1,000 people."""
    return pd.DataFrame(
        {
            "period": months,
            "icp": "NI-NOR-CA",
            "practice_code": "Z00001",
            "deprivation_quintile": 3,
            "age_band": 70,
            "sex": "female",
            "numerator": 10.0,
            "denominator": 1000.0,
            "sum_squares": 0.0,
        }
    )


def test_only_financial_years_with_all_twelve_months_are_whole() -> None:
    two_years = Months(dt.date(2024, 4, 1), dt.date(2026, 3, 1)).firsts()
    assert whole_years(two_years, snapshot=False) == {"2024/25", "2025/26"}
    assert whole_years(two_years[:-1], snapshot=False) == {"2024/25"}
    assert whole_years(two_years[2:], snapshot=False) == {"2025/26"}
    assert whole_years(two_years[:-1], snapshot=True) == {"2024/25"}  # its March is 2025's
    assert whole_years([], snapshot=False) == set()


def test_a_year_missing_its_last_month_has_no_year_row() -> None:
    definition = indicator("emergency_admissions_65")
    months = Months(dt.date(2024, 4, 1), dt.date(2026, 3, 1)).firsts()
    reported = months[:-1]  # March 2026 not yet reported
    years = rolled(_cells(reported), definition, "year_icp_quintile", periods=reported)
    assert list(years["period"]) == ["2024/25"]
    # The whole year: twelve months of 10 events among an average of 1,000 people.
    assert years["numerator"].iloc[0] == 120 and years["denominator"].iloc[0] == 1000
    months_table = rolled(_cells(reported), definition, "month_icp", periods=reported)
    assert len(months_table) == 23

"""A year row is a whole financial year: twelve reported months (a snapshot's year, its March).
A part-year would read as a year's rate short by the months missing."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from icp.measure.indicators.cells import KEYS, Months, combined, population_scope
from icp.measure.indicators.definition import indicator
from icp.measure.indicators.publish import TABLES, population_rolls, rate_rolled, rolled, whole_years
from icp.stratify.execute import to_arrow


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


def test_a_population_rate_rolled_from_its_numerator_and_the_shared_population_is_the_same() -> None:
    """`rate_rolled` sums a rate's numerator cells and the population rolled up once for every
    rate; it gives what `rolled` gives from the cells combining the two, expected counts included."""
    definition = indicator("emergency_admissions_65")
    months = Months(dt.date(2024, 4, 1), dt.date(2025, 3, 1)).firsts()
    base = _cells(months)
    population = pd.concat(
        [
            base.assign(age_band=70, sex="female", population=1000.0),
            base.assign(age_band=80, sex="male", population=400.0, practice_code="Z00002"),
            base.assign(age_band=40, sex="male", population=900.0),  # out of the indicator's scope
            base.assign(icp="NI-BEL-CA", deprivation_quintile=1, age_band=70, sex="female", population=600.0),
        ],
        ignore_index=True,
    )[[*KEYS, "population"]]
    numerator = pd.concat(
        [
            base.assign(numerator=10.0, sum_squares=10.0),
            base.iloc[:3].assign(
                age_band=80, sex="male", practice_code="Z00002", numerator=3.0, sum_squares=3.0
            ),
            base.iloc[:1].assign(age_band=85, sex="male", numerator=1.0, sum_squares=1.0),  # no population
        ],
        ignore_index=True,
    )[[*KEYS, "numerator", "sum_squares"]]
    cells = to_arrow(
        combined(ibis.memtable(numerator), population_scope(definition, ibis.memtable(population)))
    ).to_pandas()
    cells["period"] = pd.to_datetime(cells["period"]).dt.date
    rolls = population_rolls(ibis.memtable(population))
    for table in TABLES:
        expected = rolled(cells, definition, table, periods=months)
        found = rate_rolled(ibis.memtable(numerator), rolls, definition, table, periods=months)
        pd.testing.assert_frame_equal(found[expected.columns], expected, check_dtype=False)

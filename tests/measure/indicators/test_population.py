"""The population cells (people alive on each month's 15th, by practice, quintile, age band and
sex) are counted from stretches of months, not by crossing every person with every month: they
must equal that crossing exactly, births and deaths either side of the 15th, band changes (two in
a run of more than five years) and the 90+ band included."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icp.measure.indicators.cells import Months, population_cells
from icp.stratify.execute import to_arrow


def _persons(rows: list[tuple[dt.date, dt.date | None, str]]) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "patient_id": [f"p{i}" for i in range(len(rows))],
                "icp": ["NI-NOR-CA"] * len(rows),
                "birth_date": pa.array([born for born, _, _ in rows], pa.date32()),
                "death_date": pa.array([died for _, died, _ in rows], pa.date32()),
                "practice_code": ["Z00001"] * len(rows),
                "deprivation_quintile": pa.array([3] * len(rows), pa.int32()),
                "sex": [sex for _, _, sex in rows],
            }
        )
    )


def _by_hand(rows: list[tuple[dt.date, dt.date | None, str]], months: Months) -> Counter[tuple[object, ...]]:
    counted: Counter[tuple[object, ...]] = Counter()
    for first in months.firsts():
        mid = first.replace(day=15)
        for born, died, sex in rows:
            if born > mid or (died is not None and died <= mid):
                continue
            age = mid.year - born.year - ((born.month, born.day) > (mid.month, mid.day))
            counted[(first, min(age // 5 * 5, 90), sex)] += 1
    return counted


def _computed(rows: list[tuple[dt.date, dt.date | None, str]], months: Months) -> Counter[tuple[object, ...]]:
    table = to_arrow(population_cells(_persons(rows), months)).to_pylist()
    return Counter({(r["period"], r["age_band"], r["sex"]): int(r["population"]) for r in table})


EDGES = [
    (dt.date(1960, 6, 15), None, "female"),  # born on a 15th: counted that month
    (dt.date(1960, 6, 16), None, "female"),  # on the 16th: from the next month
    (dt.date(1935, 1, 1), dt.date(2024, 8, 15), "male"),  # died on a 15th: not counted that month
    (dt.date(1935, 1, 1), dt.date(2024, 8, 16), "male"),  # died on the 16th: counted that month
    (dt.date(2024, 3, 20), None, "female"),  # born during the run
    (dt.date(1929, 2, 28), None, "male"),  # crosses into 90+ and stays there
    (dt.date(1964, 2, 29), None, "female"),  # a leap-day birthday
    (dt.date(2030, 1, 1), None, "male"),  # born after the run
]


@pytest.mark.parametrize(
    "months",
    [Months(dt.date(2022, 4, 1), dt.date(2026, 3, 1)), Months(dt.date(2018, 1, 1), dt.date(2026, 3, 1))],
    ids=["four years", "eight years: two band changes"],
)
def test_the_cells_equal_every_person_crossed_with_every_month(months: Months) -> None:
    assert _computed(EDGES, months) == _by_hand(EDGES, months)


days = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2027, 1, 1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(days, st.one_of(st.none(), days), st.sampled_from(["female", "male"])),
        min_size=1,
        max_size=12,
    )
)
def test_any_births_and_deaths_give_the_crossing_count(
    rows: list[tuple[dt.date, dt.date | None, str]],
) -> None:
    months = Months(dt.date(2021, 1, 1), dt.date(2026, 12, 1))
    assert _computed(rows, months) == _by_hand(rows, months)

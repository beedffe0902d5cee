"""The spec chapters' one engine parameter: every spec test runs on DuckDB and on Spark.

A chapter (tests/spec/<definition>/) writes its small table out in the test, and asks
`scores_on_engine(records, index_date)` for the rule-based scores of everyone in it. The `engine`
parameter is the only place the engine is chosen, so no definition is proved on one engine only.
Spark cost stays bounded: one local session per test process (tests/conftest.spark_session, kept
in one xdist group), and one Spark query per chapter (the scores are computed once per module).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from icp.records.engine import open_tables
from icp.records.warehouse import Warehouse
from icp.stratify.execute import to_arrow
from icp.stratify.scores import rule_based_columns, rule_based_scores
from tests.stratify.builders import Records

Rows = dict[str, dict[str, Any]]
ScoresOnEngine = Callable[[Records, dt.date], Rows]
# (numerator, denominator) of one indicator in one month, summed over its cells; None when the
# month is not reported (the records do not cover it, with its follow-up, whole).
IndicatorOnEngine = Callable[..., tuple[float, float] | None]

ENGINES = [
    "duckdb",
    pytest.param(
        "spark",
        marks=[
            pytest.mark.spark,
            pytest.mark.xdist_group("spark"),
            # py4j leaves its loopback socket to the garbage collector; that is Spark's, not ours.
            pytest.mark.filterwarnings(
                "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
            ),
        ],
    ),
]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def scores_on_engine(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> ScoresOnEngine:
    """Write `records` as a warehouse and score everyone at `index_date` on this module's engine."""
    con: Any = None
    if engine == "spark":
        import ibis

        con = ibis.pyspark.connect(request.getfixturevalue("spark_session"))

    def score(records: Records, index_date: dt.date) -> Rows:
        warehouse = records.write(Warehouse(tmp_path_factory.mktemp(f"spec-{engine}")))
        tables = open_tables(warehouse, engine=engine, con=con)  # type: ignore[arg-type]
        table = to_arrow(rule_based_scores(tables, index_date))
        assert table.column_names == rule_based_columns()
        return {row["patient_id"]: row for row in table.to_pylist()}

    return score


@pytest.fixture(scope="module")
def indicator_on_engine(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> IndicatorOnEngine:
    """Write `records` as a warehouse and measure one indicator on this module's engine: the
    numerator and denominator of `month` (the cells before disclosure control, summed).

    `months` widens the run. The records are taken to end on the run's last day unless `data_end`
    says otherwise (a hand-written world has no extract date of its own)."""
    from icp.measure.indicators.cells import Months
    from icp.measure.indicators.definition import indicator
    from icp.measure.indicators.run import measure

    con: Any = None
    if engine == "spark":
        import ibis

        con = ibis.pyspark.connect(request.getfixturevalue("spark_session"))

    def run(
        records: Records,
        indicator_id: str,
        month: dt.date,
        *,
        months: tuple[dt.date, dt.date] | None = None,
        excluded: frozenset[str] = frozenset(),
        data_end: dt.date | None = None,
    ) -> tuple[float, float] | None:
        warehouse = records.write(Warehouse(tmp_path_factory.mktemp(f"spec-{indicator_id}-{engine}")))
        tables = open_tables(warehouse, engine=engine, con=con)  # type: ignore[arg-type]
        first, last = months or (month, month)
        run_months = Months(first, last)
        result = measure(
            tables,
            run_months,
            excluded=excluded,
            chosen=[indicator(indicator_id)],
            data_end=data_end or run_months.lasts()[-1],
        )
        if month not in result.periods(indicator_id):
            return None
        cells = result.cells[indicator_id]
        in_month = cells[cells["period"] == month]
        return float(in_month["numerator"].sum()), float(in_month["denominator"].sum())

    return run

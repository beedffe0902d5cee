"""Indicators over a small synthetic ICP: the counts agree with a direct count of the rows, the
published tables are disclosure-controlled, opt-outs are left out and counted, and DuckDB and
Spark give the same numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from icp.measure.indicators.cells import Months
from icp.measure.indicators.definition import indicator, indicators
from icp.measure.indicators.publish import rolled, standardised
from icp.measure.indicators.run import MeasureResult, measure, published, write
from icp.records.engine import open_tables
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse

AREA = "NI-NOR-CA"
MONTHS = Months(dt.date(2024, 4, 1), dt.date(2024, 9, 1))
# A whole financial year, so that the year tables have rows to compare between engines.
YEAR = Months(dt.date(2024, 4, 1), dt.date(2025, 3, 1))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    warehouse = Warehouse(Path(tmp_path_factory.mktemp("measure")) / "warehouse")
    synthesise(warehouse, area=AREA, seed=3, people=4000)
    yield warehouse


@pytest.fixture(scope="module")
def result(warehouse: Warehouse) -> MeasureResult:
    return measure(open_tables(warehouse), MONTHS)


def test_emergency_admissions_of_people_65_and_over_match_a_direct_count(
    warehouse: Warehouse, result: MeasureResult
) -> None:
    patients = {p["patient_id"]: p for p in warehouse.read_arrow("patient").to_pylist()}
    month = dt.date(2024, 6, 1)

    def age(birth: dt.date, on: dt.date) -> int:
        return on.year - birth.year - ((birth.month, birth.day) > (on.month, on.day))

    admitted = [
        e
        for e in warehouse.read_arrow("encounter").to_pylist()
        if e["admission_method"] == "emergency"
        and e["start_date"].replace(day=1) == month
        and age(patients[e["patient_id"]]["birth_date"], e["start_date"]) >= 65
    ]
    mid = dt.date(2024, 6, 15)
    living = [
        p
        for p in patients.values()
        if p["birth_date"] <= mid
        and (p["death_date"] is None or p["death_date"] > mid)
        and age(p["birth_date"], mid) >= 65
    ]
    cells = result.cells["emergency_admissions_65"]
    in_month = cells[cells["period"] == month]
    assert in_month["numerator"].sum() == len(admitted) > 0
    assert in_month["denominator"].sum() == len(living)


def test_published_tables_have_every_indicator_and_suppress_small_counts(result: MeasureResult) -> None:
    tables = published(result)
    assert set(tables) == {"month_icp", "month_practice", "year_icp_quintile", "year_icp_age_sex"}
    monthly = tables["month_icp"]
    assert set(monthly["indicator"]) >= {"emergency_admissions_65", "bed_days", "frail_with_care_plan"}
    # Counts of people or events are rounded to 5 (a referral's total of days is not a count).
    shown = monthly[~monthly["suppressed"] & ~monthly["indicator"].str.startswith("referral_days")]
    assert (shown["numerator"].dropna() % 5 == 0).all()
    assert (shown["denominator"].dropna() % 5 == 0).all()
    assert ((shown["numerator"].dropna() == 0) | (shown["numerator"].dropna() >= 8)).all()
    hidden = tables["month_practice"][tables["month_practice"]["suppressed"]]
    assert len(hidden) > 0
    assert hidden["rate"].isna().all() and hidden["ci_low"].isna().all()
    assert monthly["synthetic"].all()


def test_rates_sit_inside_their_intervals_and_standardised_ratios_are_against_all_icps(
    result: MeasureResult,
) -> None:
    monthly = published(result)["month_icp"]
    rows = monthly[~monthly["suppressed"] & monthly["rate"].notna()]
    assert ((rows["ci_low"] <= rows["rate"] + 1e-9) & (rows["rate"] <= rows["ci_high"] + 1e-9)).all()
    # One ICP is the whole standard population here: before disclosure its ratio is 100 by
    # construction (after it, the rounding of the observed count moves it a little).
    definition = indicator("emergency_admissions_65")
    ratios = standardised(rolled(result.cells[definition.id], definition, "month_icp"))
    assert ratios["standardised_ratio"].round(9).eq(100.0).all()


def test_opted_out_people_are_left_out_and_counted(
    warehouse: Warehouse, result: MeasureResult, tmp_path: Path
) -> None:
    patients = warehouse.read_arrow("patient").column("patient_id").to_pylist()
    excluded = set(patients[:50])
    chosen = [indicator("emergency_admissions_65")]
    without = measure(open_tables(warehouse), MONTHS, excluded=excluded, chosen=chosen)
    assert without.opted_out == 50
    before = result.cells["emergency_admissions_65"]["denominator"].sum()
    assert without.cells["emergency_admissions_65"]["denominator"].sum() < before
    write(without, tmp_path)
    assert (tmp_path / "opt_outs.csv").read_text().splitlines()[1] == "50,false"
    assert (tmp_path / "month_icp.parquet").exists() and (tmp_path / "month_icp.csv").exists()


def test_the_records_last_day_is_found_and_bounds_the_months_reported(
    warehouse: Warehouse, result: MeasureResult
) -> None:
    # The synthetic extract ends on 31 March 2026: every month of 2024 is over and followed.
    assert result.data_end == dt.date(2026, 3, 31)
    assert result.periods("readmissions_30d") == MONTHS.firsts() and not result.reported
    chosen = [indicator("readmissions_30d"), indicator("emergency_admissions_65")]
    early = measure(open_tables(warehouse), MONTHS, chosen=chosen, data_end=dt.date(2024, 9, 15))
    # September is not over on the 15th; August's last discharges need the records to 29 September.
    assert early.periods("emergency_admissions_65") == MONTHS.firsts()[:-1]
    assert early.periods("readmissions_30d") == MONTHS.firsts()[:-2]
    readmissions = early.cells["readmissions_30d"]
    assert set(readmissions["period"]) == set(MONTHS.firsts()[:-2])
    assert readmissions["denominator"].sum() > 0
    # The months it does report are the same as when the records run on for years.
    july = dt.date(2024, 7, 1)
    later = result.cells["readmissions_30d"]
    assert readmissions[readmissions["period"] == july]["numerator"].sum() == (
        later[later["period"] == july]["numerator"].sum()
    )


def _sorted(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.copy()
    frame["period"] = frame["period"].astype(str)
    return frame.sort_values(list(frame.columns[:6])).round(6).to_dict("records")


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator", "period", "icp", "practice_code", "deprivation_quintile", "age_band", "sex"]
    frame = frame.astype({key: str for key in keys})
    numbers = [column for column in frame.columns if column not in keys]
    frame[numbers] = frame[numbers].apply(pd.to_numeric, errors="coerce")
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_gives_the_same_numbers_and_the_same_published_tables(
    warehouse: Warehouse, spark_session: Any
) -> None:
    """Every indicator over a whole financial year on both engines: the same cells, and the same
    four published tables as icp measure writes them (counts disclosed, rates, intervals and
    standardised ratios), year rows included."""
    import ibis

    con = ibis.pyspark.connect(spark_session)
    duckdb = measure(open_tables(warehouse), YEAR)
    spark = measure(open_tables(warehouse, engine="spark", con=con), YEAR)
    assert set(spark.cells) == set(duckdb.cells) == {definition.id for definition in indicators()}
    for name in duckdb.cells:
        assert _sorted(spark.cells[name]) == _sorted(duckdb.cells[name]), name
    from_spark, from_duckdb = published(spark), published(duckdb)
    for name, frame in from_duckdb.items():
        assert len(frame) > 0 and frame["indicator"].nunique() > 1, name
        pd.testing.assert_frame_equal(
            _ordered(from_spark[name]), _ordered(frame), check_dtype=False, rtol=1e-9, obj=name
        )


def test_a_second_sources_records_of_people_already_counted_change_no_number(tmp_path: Path) -> None:
    """With records linked into persons (`by_person`, as `icp measure` reads them), a trust's records
    of people the practices already hold count nobody twice: every indicator's cells are those of
    the practices' records alone."""
    import pyarrow as pa

    from icp.records.persons import by_person

    warehouse = Warehouse(tmp_path / "warehouse")
    synthesise(warehouse, area=AREA, seed=5, people=1500)
    alone = measure(by_person(open_tables(warehouse)), MONTHS)
    gp = warehouse.read_arrow("patient").slice(0, 200).to_pylist()
    copies = [
        {**row, "patient_id": f"TRUST-{n}", "source_id": f"TRUST-{n}", "person_id": row["patient_id"]}
        | {"practice_code": None, "registered": False, "batch_id": None, "source": "a trust (synthetic)"}
        for n, row in enumerate(gp)
    ]
    with warehouse.batch(kind="ingest", source="a trust (synthetic)") as batch:
        batch.write("patient", pa.Table.from_pylist(copies))

    linked = measure(by_person(open_tables(warehouse)), MONTHS)

    assert set(linked.cells) == set(alone.cells)
    for name in alone.cells:
        assert _sorted(linked.cells[name]) == _sorted(alone.cells[name]), name

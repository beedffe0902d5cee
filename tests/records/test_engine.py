"""The warehouse opens as Ibis tables on DuckDB and on Spark, and both engines give the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pytest

from icp.records.engine import connect, open_tables
from icp.records.warehouse import Warehouse


def _answers(tables: dict[str, Any]) -> dict[str, Any]:
    """A handful of population queries of the kinds stratify and measure run, as plain Python values."""
    patient, condition, encounter = tables["patient"], tables["condition"], tables["encounter"]
    per_icp = patient.group_by("icp").aggregate(people=patient.count()).order_by("icp")
    alive_on = ibis.date(2024, 1, 1)
    alive = patient.filter(patient.death_date.isnull() | (patient.death_date > alive_on))
    hypertension = condition.filter(condition.code == "38341003")
    with_hypertension = alive.semi_join(hypertension, "patient_id")
    unnested = encounter.select(encounter.patient_id, encounter.setting, d=encounter.diagnoses.unnest())
    diagnoses = unnested.select(unnested.patient_id, code=unnested.d.code, rank=unnested.d["rank"])
    primary = diagnoses.filter(diagnoses["rank"] == 1).order_by("patient_id")
    emergencies = encounter.filter(encounter.admission_method == "emergency")
    length_of_stay = emergencies.select(days=(emergencies.end_date - emergencies.start_date).cast("int64"))
    known = patient.filter(patient.deprivation_quintile.notnull())
    quintiles = (
        known.group_by("deprivation_quintile").aggregate(n=known.count()).order_by("deprivation_quintile")
    )
    return {
        "per_icp": per_icp.execute().to_dict("records"),
        "alive_with_hypertension": sorted(with_hypertension.patient_id.execute().tolist()),
        "primary_diagnoses": primary.execute()[["patient_id", "code"]].to_dict("records"),
        "all_diagnoses": int(diagnoses.count().execute()),
        "emergency_days": length_of_stay.days.execute().tolist(),
        "quintiles": quintiles.execute().astype(int).to_dict("records"),
    }


EXPECTED = {
    "per_icp": [{"icp": "NI-BEL-E", "people": 2}, {"icp": "NI-NOR-CA", "people": 3}],
    "alive_with_hypertension": ["p1", "p2"],
    "primary_diagnoses": [{"patient_id": "p1", "code": "J44.1"}, {"patient_id": "p4", "code": "I10"}],
    "all_diagnoses": 3,
    "emergency_days": [8],
    "quintiles": [
        {"deprivation_quintile": 1, "n": 1},
        {"deprivation_quintile": 2, "n": 1},
        {"deprivation_quintile": 3, "n": 1},
        {"deprivation_quintile": 5, "n": 1},
    ],
}


def test_duckdb_answers_the_population_queries(small_warehouse: Warehouse) -> None:
    assert _answers(open_tables(small_warehouse)) == EXPECTED


def test_duckdb_reads_one_icp_alone(small_warehouse: Warehouse) -> None:
    tables = open_tables(small_warehouse, areas=["NI-BEL-E"], tables=["patient", "condition"])
    assert set(tables) == {"patient", "condition"}
    assert tables["patient"].icp.execute().unique().tolist() == ["NI-BEL-E"]
    assert int(tables["condition"].count().execute()) == 1


def test_an_empty_warehouse_opens_as_empty_tables_with_the_full_schema(tmp_path: Path) -> None:
    tables = open_tables(Warehouse(tmp_path / "empty"))
    assert int(tables["patient"].count().execute()) == 0
    assert "deprivation_quintile" in tables["patient"].columns
    assert "diagnoses" in tables["encounter"].columns


def test_an_uncommitted_batch_is_not_seen_by_the_engine(small_warehouse: Warehouse) -> None:
    from tests.records.conftest import small_patients

    with small_warehouse.batch(kind="test", source="later") as batch:
        batch.write("patient", small_patients())
        assert int(open_tables(small_warehouse)["patient"].count().execute()) == 5
    assert int(open_tables(small_warehouse)["patient"].count().execute()) == 10


def test_duckdb_threads_can_be_limited() -> None:
    con = connect("duckdb", threads=1)
    assert con.raw_sql("SELECT current_setting('threads')").fetchone()[0] == 1


def test_duckdb_memory_can_be_bounded_and_a_bad_size_is_refused() -> None:
    con = connect("duckdb", memory_limit="1500MB")
    assert con.raw_sql("SELECT current_setting('memory_limit')").fetchall()[0][0].startswith("1.3 GiB")
    with pytest.raises(ValueError, match="expected a size such as 2GB"):
        connect("duckdb", memory_limit="2GB'; SET threads = 1; --")


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine 'polars'"):
        connect("polars")  # type: ignore[arg-type]


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_gives_the_same_answers_as_duckdb(small_warehouse: Warehouse, spark_session: Any) -> None:
    spark = ibis.pyspark.connect(spark_session)
    on_spark = _answers(open_tables(small_warehouse, engine="spark", con=spark))
    on_duckdb = _answers(open_tables(small_warehouse))
    assert on_spark == on_duckdb == EXPECTED


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_reads_one_icp_alone_and_empty_tables(
    small_warehouse: Warehouse, spark_session: Any, tmp_path: Path
) -> None:
    spark = ibis.pyspark.connect(spark_session)
    tables = open_tables(small_warehouse, engine="spark", con=spark, areas=["NI-NOR-CA"])
    assert sorted(tables["patient"].patient_id.execute().tolist()) == ["p1", "p2", "p3"]
    empty = open_tables(Warehouse(tmp_path / "empty"), engine="spark", con=spark, tables=["encounter"])
    assert int(empty["encounter"].count().execute()) == 0

"""A whole stratification on Spark gives DuckDB's numbers, person by person (synthetic population).

`icp synth` writes a few hundred synthetic people of the demo ICP (the shapes every table really
has: hospital diagnoses as lists, observations, medicines, flags, deaths); `icp stratify`'s run
(`run.run`) stratifies them on DuckDB and on Spark, each fitting its own model. Every column of every
person's risk result must be the same on both: the rule-based scores and their lists, the model's
version (the same features and outcomes give the same model), its risk, the ranks, the tiers and
the reasons. `benchmarks/bench_engines.py` does the same for a whole ICP of ~100,000 people.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from icp.records.engine import open_tables
from icp.records.synth.population import EXTRACT_DATE
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse
from icp.stratify import features, fitting, run
from icp.stratify.events import years_before

ICP = "NI-NOR-CA"
PEOPLE = 500  # enough emergency admissions (at least 20 a year) for the model to be fitted
AS_OF: dt.date = EXTRACT_DATE


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = Warehouse(tmp_path_factory.mktemp("engines") / "warehouse")
    synthesise(warehouse, area=ICP, seed=11, people=PEOPLE)
    return warehouse


@pytest.fixture(scope="module")
def opted_out(warehouse: Warehouse) -> dict[str, set[str]]:
    """Two people with a planning opt-out: left out on both engines alike."""
    ids = sorted(warehouse.read_arrow("patient", [ICP], columns=["patient_id"]).column(0).to_pylist())
    return {ICP: {ids[3], ids[100]}}


def _stratify(warehouse: Warehouse, models: Path, opted_out: dict[str, set[str]], **engine: Any) -> pa.Table:
    summary = run.run(
        warehouse, index_date=AS_OF, models_dir=models, retrain=True, opted_out_by_icp=opted_out, **engine
    )
    assert summary.model_not_used is None, summary.model_not_used
    return run.run_results(warehouse, ICP, summary.run_id).drop_columns(["batch_id"])


@pytest.fixture(scope="module")
def on_duckdb(
    warehouse: Warehouse, opted_out: dict[str, set[str]], tmp_path_factory: pytest.TempPathFactory
) -> pa.Table:
    return _stratify(warehouse, tmp_path_factory.mktemp("models-duckdb"), opted_out)


def differences(expected: pa.Table, actual: pa.Table) -> dict[str, list[str]]:
    """Column → the patient ids (at most five) whose value differs; rows compared in order."""
    assert actual.column_names == expected.column_names
    assert actual.schema == expected.schema
    assert actual.column("patient_id").to_pylist() == expected.column("patient_id").to_pylist()
    ids = expected.column("patient_id").to_pylist()
    found = {}
    for name in expected.column_names:
        pairs = zip(expected.column(name).to_pylist(), actual.column(name).to_pylist(), strict=True)
        differing = [pid for pid, (a, b) in zip(ids, pairs, strict=True) if a != b]
        if differing:
            found[name] = differing[:5]
    return found


def test_the_small_population_is_stratified_with_a_model(on_duckdb: pa.Table) -> None:
    assert 400 < on_duckdb.num_rows < PEOPLE  # alive on the index date, opt-outs left out
    assert on_duckdb.column("model_version")[0].as_py().startswith("ea-")
    assert set(on_duckdb.column("tier").to_pylist()) == {"very_high", "high", "moderate", "low"}
    assert sum(on_duckdb.column("efi_deficits").to_pylist()) > 0
    assert sum(on_duckdb.column("hfrs_score").to_pylist()) > 0


def test_stratifying_again_on_duckdb_fits_the_same_model_and_gives_the_same_rows(
    warehouse: Warehouse,
    opted_out: dict[str, set[str]],
    on_duckdb: pa.Table,
    tmp_path: Path,
) -> None:
    """The rows reach the model in patient id order, whatever order the engine's threads return."""
    again = _stratify(warehouse, tmp_path / "models", opted_out)
    assert differences(on_duckdb, again) == {}


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_gives_duckdbs_scores_features_model_risk_and_tiers(
    warehouse: Warehouse,
    opted_out: dict[str, set[str]],
    on_duckdb: pa.Table,
    spark_session: Any,
    tmp_path: Path,
) -> None:
    import ibis

    con = ibis.pyspark.connect(spark_session)
    on_spark = _stratify(warehouse, tmp_path / "models", opted_out, engine="spark", con=con)
    assert differences(on_duckdb, on_spark) == {}

    # The features the model reads (most are not stored in the results: service use, observations)
    # and the outcome it learns, as the run builds them for the hold-out year.
    holdout = years_before(AS_OF, 1)
    left_out = set().union(*opted_out.values())
    duckdb = fitting.training_data(open_tables(warehouse), holdout, left_out)
    spark = fitting.training_data(open_tables(warehouse, engine="spark", con=con), holdout, left_out)
    assert duckdb.features.shape == spark.features.shape
    differing = ~(
        (duckdb.features == spark.features) | (np.isnan(duckdb.features) & np.isnan(spark.features))
    )
    names = features.feature_names()
    assert [names[i] for i in np.flatnonzero(differing.any(axis=0))] == []
    assert np.array_equal(duckdb.outcome, spark.outcome)

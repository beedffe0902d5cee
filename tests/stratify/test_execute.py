"""A run's queries are built and compiled once for all its groups of ICPs and give the rows a fresh
compile gives; tables of another shape, or other arguments, compile afresh (ADR 0208)."""

from __future__ import annotations

from pathlib import Path

import ibis.expr.types as ir
import pyarrow as pa
import pytest

from icp.records.engine import open_tables, to_arrow
from icp.records.persons import by_person
from icp.records.warehouse import Warehouse
from icp.stratify import features
from icp.stratify.events import Tables
from icp.stratify.execute import Compiled
from icp.stratify.fitting import fit_sample
from icp.stratify.results import score_table
from icp.stratify.scores import rule_based_scores
from tests.stratify.population import AS_OF, random_population

ICPS = ("NI-NOR-CA", "NI-BEL-E")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root: Path = tmp_path_factory.mktemp("compiled")
    return random_population(1200, icps=ICPS).write(Warehouse(root / "warehouse"))


def _group(warehouse: Warehouse, icp: str) -> Tables:
    """One ICP's tables on a connection of its own, as a run opens each group."""
    return by_person(open_tables(warehouse, areas=[icp]))


def test_each_group_runs_the_query_compiled_for_the_first_and_gets_its_own_rows(warehouse: Warehouse) -> None:
    compiled = Compiled()
    builds = []

    def scores_of(tables: Tables) -> pa.Table:
        def build() -> ir.Table:
            builds.append(1)
            return rule_based_scores(tables, AS_OF).order_by("patient_id")

        return compiled.to_arrow(("scores", AS_OF), tables, build)

    for icp in ICPS:
        tables = _group(warehouse, icp)
        got = scores_of(tables)
        fresh = to_arrow(rule_based_scores(_group(warehouse, icp), AS_OF).order_by("patient_id"))
        assert got.equals(fresh)
        assert set(got.column("icp").to_pylist()) == {icp}
    assert len(builds) == 1 and len(compiled) == 1


def test_score_table_with_a_shared_compile_equals_one_compile_per_group(warehouse: Warehouse) -> None:
    compiled = Compiled()
    for icp in ICPS:
        scores, observations = score_table(_group(warehouse, icp), AS_OF, compiled=compiled)
        fresh_scores, fresh_observations = score_table(_group(warehouse, icp), AS_OF)
        assert scores.equals(fresh_scores)
        # Observations come in no order of their own; the feature matrix aligns them by person.
        assert observations.sort_by("patient_id").equals(fresh_observations.sort_by("patient_id"))
    assert len(compiled) == 2  # the scores and the latest observations, once each


def test_other_arguments_or_tables_of_another_shape_compile_afresh(warehouse: Warehouse) -> None:
    compiled = Compiled()
    tables = _group(warehouse, ICPS[0])
    score_table(tables, AS_OF, compiled=compiled)
    other = _group(warehouse, ICPS[1])
    opted_out = sorted(to_arrow(other["patient"].select("patient_id")).column("patient_id").to_pylist())[:3]
    scores, _observations = score_table(other, AS_OF, excluded=opted_out, compiled=compiled)
    assert not set(opted_out) & set(scores.column("patient_id").to_pylist())
    assert len(compiled) == 3  # new scores (other opt-outs); the observations' query was the same
    # A sample (fit_sample's filter on every table) is another shape: its own SQL, its own rows.
    sampled, _how = fit_sample(_group(warehouse, ICPS[1]), limit=100)
    sample_scores, _observations = score_table(sampled, AS_OF, compiled=compiled)
    assert len(compiled) == 5
    assert 0 < sample_scores.num_rows < scores.num_rows
    # The features built from the shared compile are those of a fresh one.
    fresh = score_table(sampled, AS_OF)
    assert sample_scores.equals(fresh[0])
    assert features.matrix(sample_scores, fresh[1])[1] == features.feature_names()

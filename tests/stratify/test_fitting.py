"""Fitting the admission model: built a group of ICPs at a time it has the same data as in one pass;
above FIT_PEOPLE people it is fitted on a sample, the same people in every table, and the model card
says so; the logistic baseline beside it learns from at most BASELINE_SAMPLE of them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow.compute as pc
import pytest

from icp.records.engine import open_tables
from icp.records.warehouse import Warehouse
from icp.stratify import features, fitting, model
from tests.stratify.population import random_population

ICPS = ("NI-BEL-E", "NI-NOR-CA", "NI-WE-DE")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    folder = tmp_path_factory.mktemp("fitting")
    return random_population(2000, icps=ICPS).write(Warehouse(folder / "warehouse"))


def test_training_data_in_groups_is_the_data_of_one_pass_in_the_same_order(warehouse: Warehouse) -> None:
    index_date = dt.date(2024, 6, 1)
    left_out = {"p00007"}
    whole = fitting.training_data(open_tables(warehouse), index_date, left_out)
    groups = [open_tables(warehouse, areas=["NI-WE-DE"]), open_tables(warehouse, areas=list(ICPS[:2]))]
    grouped = fitting.training_data(groups, index_date, left_out)
    assert whole.features.shape == grouped.features.shape and whole.features.shape[0] > 1900
    np.testing.assert_array_equal(grouped.features, whole.features)  # NaN where NaN, row for row
    np.testing.assert_array_equal(grouped.outcome, whole.outcome)
    assert 0 < whole.outcome.sum() < whole.outcome.size


def test_below_the_limit_everyone_is_kept(warehouse: Warehouse) -> None:
    tables = open_tables(warehouse)
    kept, sample = fitting.fit_sample(tables, limit=2000)
    assert kept is tables and sample == {"people_in_scope": 2000, "sampled": False}


def test_above_it_a_share_of_people_is_kept_in_every_table_alike(warehouse: Warehouse) -> None:
    kept, sample = fitting.fit_sample(open_tables(warehouse), limit=500)
    assert sample["sampled"] and sample["share"] == 0.25 and sample["people_in_scope"] == 2000
    people = kept["patient"].to_pyarrow().column("patient_id")
    assert 350 <= len(people) <= 650  # a hash, not an exact count
    for name in ("encounter", "condition", "observation", "medication"):
        ids = kept[name].select("patient_id").to_pyarrow().column("patient_id")
        assert len(ids) and pc.all(pc.is_in(ids, value_set=people)).as_py(), name
    again, _sample = fitting.fit_sample(open_tables(warehouse), limit=500)
    assert again["patient"].to_pyarrow().column("patient_id").equals(people)  # the same people each time


def test_the_logistic_baseline_is_fitted_on_a_sample_of_at_most_baseline_sample_people(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    development = fitting.training_data(open_tables(warehouse), dt.date(2024, 6, 1), set())
    people = development.outcome.size
    monkeypatch.setattr(model, "BASELINE_SAMPLE", 500)
    trained = model.fit(development, features.feature_names())
    # The scaler counts the rows it was fitted on; LightGBM still learns from everyone.
    assert trained.baseline[1].n_samples_seen_ == 500 < people == trained.development["people"]
    monkeypatch.setattr(model, "BASELINE_SAMPLE", people + 1)
    assert model.fit(development, features.feature_names()).baseline[1].n_samples_seen_ == people

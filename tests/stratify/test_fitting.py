"""Fitting the admission model: above FIT_PEOPLE people it is fitted on a sample, the same people in
every table, and the model card says so."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from icp.records.engine import open_tables
from icp.records.warehouse import Warehouse
from icp.stratify import fitting
from tests.stratify.population import random_population


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return random_population(2000).write(Warehouse(tmp_path_factory.mktemp("fitting") / "warehouse"))


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

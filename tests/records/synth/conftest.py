"""One synthetic NI population (all 17 ICPs, scaled down) shared by the calibration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse

NI_SAMPLE_PEOPLE = 60_000


@pytest.fixture(scope="module")
def ni_sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    warehouse = Warehouse(Path(tmp_path_factory.mktemp("synth")) / "warehouse")
    synthesise(warehouse, area="NI", seed=7, people=NI_SAMPLE_PEOPLE)
    yield warehouse


def read(warehouse: Warehouse, table: str) -> pa.Table:
    return warehouse.read_arrow(table)

"""A small warehouse written out in full, shared by the warehouse and engine tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from icp.records.warehouse import Warehouse


def _provenance(icps: list[str], batch: str = "fixture") -> dict[str, list[object]]:
    return {
        "icp": icps,
        "source": ["test"] * len(icps),
        "batch_id": [batch] * len(icps),
        "synthetic": [True] * len(icps),
    }


def small_patients() -> pa.Table:
    icps = ["NI-NOR-CA", "NI-NOR-CA", "NI-NOR-CA", "NI-BEL-E", "NI-BEL-E"]
    return pa.table(
        {
            "patient_id": ["p1", "p2", "p3", "p4", "p5"],
            "sex": ["female", "male", "female", "male", "female"],
            "birth_date": [date(1940, 5, 1), date(1955, 1, 2), date(1990, 3, 3), date(1948, 7, 4), None],
            "death_date": [date(2025, 1, 1), None, None, None, None],
            "practice_code": ["NI-GP-101", "NI-GP-101", "NI-GP-102", "NI-GP-001", None],
            "registered": [True, True, True, True, False],
            "deprivation_quintile": pa.array([1, 2, 5, 3, None], pa.int8()),
            **_provenance(icps),
        }
    )


def small_conditions() -> pa.Table:
    icps = ["NI-NOR-CA", "NI-NOR-CA", "NI-NOR-CA", "NI-BEL-E"]
    return pa.table(
        {
            "condition_id": ["c1", "c2", "c3", "c4"],
            "patient_id": ["p1", "p1", "p2", "p4"],
            "code_system": ["snomed"] * 4,
            "code": ["38341003", "195967001", "38341003", "13645005"],
            "display": ["Hypertension", "Asthma", "Hypertension", "COPD"],
            "onset_date": [date(2010, 1, 1), date(1990, 1, 1), date(2015, 6, 1), date(2020, 2, 2)],
            **_provenance(icps),
        }
    )


def small_encounters() -> pa.Table:
    icps = ["NI-NOR-CA", "NI-NOR-CA", "NI-BEL-E"]
    diagnosis = pa.struct(
        [("code_system", pa.string()), ("code", pa.string()), ("display", pa.string()), ("rank", pa.int16())]
    )
    return pa.table(
        {
            "encounter_id": ["e1", "e2", "e3"],
            "patient_id": ["p1", "p2", "p4"],
            "setting": ["inpatient", "ae", "inpatient"],
            "admission_method": ["emergency", None, "elective"],
            "start_date": [date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)],
            "end_date": [date(2024, 3, 9), date(2024, 4, 1), date(2024, 5, 2)],
            "diagnoses": pa.array(
                [
                    [
                        {"code_system": "icd10", "code": "J44.1", "display": "COPD exacerbation", "rank": 1},
                        {"code_system": "icd10", "code": "R29.6", "display": "Falls", "rank": 2},
                    ],
                    [],
                    [{"code_system": "icd10", "code": "I10", "display": "Hypertension", "rank": 1}],
                ],
                pa.list_(diagnosis),
            ),
            **_provenance(icps),
        }
    )


@pytest.fixture
def small_warehouse(tmp_path: Path) -> Warehouse:
    """Two ICPs, five patients, four conditions, three encounters: one committed batch."""
    warehouse = Warehouse(tmp_path / "warehouse")
    with warehouse.batch(kind="test", source="fixture") as batch:
        batch.write("patient", small_patients())
        batch.write("condition", small_conditions())
        batch.write("encounter", small_encounters())
    return warehouse

"""Fixtures for ingest tests: an empty warehouse in a temporary folder, and NDJSON writing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from icp.records.ingest.patient_ids import opaque_patient_id
from icp.records.warehouse import Warehouse

SYNTHEA = Path(__file__).resolve().parents[2] / "fixtures" / "synthea"
AREA = "NI-NOR-CA"


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse")


@pytest.fixture
def write_ndjson(tmp_path: Path) -> Callable[..., Path]:
    """Write resources (dicts, or raw strings for broken lines) one per line."""

    def write(name: str, *lines: dict[str, Any] | str) -> Path:
        path = tmp_path / "input" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            for line in lines:
                handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
        return path

    return write


def warehouse_id(warehouse: Warehouse, source_id: str) -> str:
    """The id the warehouse gives the person its source calls `source_id`."""
    return opaque_patient_id(warehouse.patient_id_key(), source_id)


def rows_as_sent(warehouse: Warehouse, table: str) -> list[dict[str, Any]]:
    """The table's rows with each person named by the id their source sent (`source_id`, or the
    warehouse's own id for a person no source sent): what a round trip through FHIR keeps, since
    the ingesting warehouse gives every person an opaque id of its own."""
    sent = {
        row["patient_id"]: row["source_id"] or row["patient_id"]
        for row in warehouse.read_arrow("patient").select(["patient_id", "source_id"]).to_pylist()
    }
    rows = warehouse.read_arrow(table).to_pylist()
    for row in rows:
        for column in ("patient_id", "person_id"):
            if row.get(column) is not None:
                row[column] = sent.get(row[column], row[column])
    return rows


def patient(patient_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "gender": "female",
        "birthDate": "1950-02-03",
        **extra,
    }


def observation(observation_id: str, patient_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": observation_id,
        "status": "final",
        "subject": {"reference": f"Patient/{patient_id}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4", "display": "HbA1c"}]},
        "effectiveDateTime": "2023-04-05T10:00:00+01:00",
        "valueQuantity": {"value": 48, "unit": "mmol/mol"},
        **extra,
    }


def condition(condition_id: str, patient_id: str | None, **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": condition_id,
        "code": {
            "coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}]
        },
        "onsetDateTime": "2015-06-01",
        **extra,
    }
    if patient_id is not None:
        resource["subject"] = {"reference": f"Patient/{patient_id}"}
    return resource

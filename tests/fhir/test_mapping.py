"""One FHIR mapping: the REST API serves exactly the resources the Bulk export writes, row for row."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.test import Client

from icp.fhir import mapping
from icp.fhir.bulk import export_fhir
from icp.records.warehouse import Warehouse
from tests.fhir.test_views import get
from tests.sharing.conftest import World, _provenance

ALICE = "pt-alice-0001"


def _exported(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    for path in out.glob("*.ndjson"):
        for line in path.read_text().splitlines():
            resource = json.loads(line)
            resources[resource["resourceType"], resource["id"]] = resource
    return resources


def _add_a_hospital_diagnosis(warehouse: Warehouse) -> None:
    with warehouse.batch(kind="test", source="fhir mapping tests") as batch:
        batch.write(
            "condition",
            pa.table(
                {
                    "condition_id": ["alice-c3"],
                    "patient_id": [ALICE],
                    "code_system": ["icd10"],
                    "code": ["J44.1"],
                    "display": ["COPD with acute exacerbation"],
                    "onset_date": [date(2025, 12, 1)],
                    "recorded_date": [date(2025, 12, 2)],
                    "clinical_status": ["active"],
                    "category": ["encounter-diagnosis"],
                    "encounter_id": ["alice-e1"],
                    **_provenance("NI-NOR-CA", 1),
                }
            ),
        )


def test_the_api_serves_what_the_bulk_export_writes(
    client: Client, shared_world: World, warehouse: Warehouse, tmp_path: Path
) -> None:
    _add_a_hospital_diagnosis(warehouse)
    exported = _exported(export_fhir(tmp_path / "export", warehouse=warehouse, areas=["NI-NOR-CA"]).out)
    compared = 0
    for resource_type in ("Condition", "Observation", "MedicationStatement", "Encounter"):
        status, found = get(client, f"/fhir/{resource_type}?patient={ALICE}", shared_world, "gp")
        assert status == 200 and found["total"] >= 1
        for entry in found["entry"]:
            served = entry["resource"]
            assert served == exported[resource_type, served["id"]]
            compared += 1
    assert compared == 7  # three conditions, two observations, one medication, one encounter


def test_the_api_condition_says_its_category_encounter_and_recorded_date(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    _add_a_hospital_diagnosis(warehouse)
    status, condition = get(client, "/fhir/Condition/alice-c3", shared_world, "gp")
    assert status == 200
    assert condition["category"][0]["coding"][0]["code"] == "encounter-diagnosis"
    assert condition["encounter"] == {"reference": "Encounter/alice-e1"}
    assert condition["recordedDate"] == "2025-12-02"


def test_a_missing_column_counts_as_empty() -> None:
    full = {
        "observation_id": "o1",
        "patient_id": "p1",
        "code": "x",
        "value_number": None,
        "encounter_id": None,
    }
    assert mapping.observation(full) == mapping.observation(
        {"observation_id": "o1", "patient_id": "p1", "code": "x"}
    )
    assert "encounter" not in mapping.observation(full) and "valueQuantity" not in mapping.observation(full)


def test_an_uncoded_entry_keeps_its_text_and_gets_no_empty_coding() -> None:
    condition = mapping.condition(
        {"condition_id": "c1", "patient_id": "p1", "code": "", "display": "Fell at home"}
    )
    assert condition["code"] == {"text": "Fell at home"}


def test_medication_rows_go_out_by_their_kind() -> None:
    row = {"medication_id": "m1", "patient_id": "p1", "status": "ACTIVE", "start_date": date(2026, 1, 2)}
    assert mapping.medication({**row, "kind": "statement"})["resourceType"] == "MedicationStatement"
    request = mapping.medication({**row, "kind": "request"})
    assert request["resourceType"] == "MedicationRequest" and request["status"] == "active"
    assert request["authoredOn"] == "2026-01-02"

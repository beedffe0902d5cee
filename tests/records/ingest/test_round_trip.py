"""synth → export → ingest into an empty warehouse gives the same tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from icp.fhir.bulk import export_fhir
from icp.records.ingest import ingest
from icp.records.schema import CLINICAL_TABLES
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse
from tests.records.ingest.conftest import rows_as_sent

AREA = "NI-NOR-CA"


def comparable(warehouse: Warehouse, table: str) -> list[dict[str, Any]]:
    """The table's rows without what differs by design: provenance (which load wrote a row) and the
    ingesting warehouse's own opaque ids of people (rows name them as the export sent them)."""
    rows = rows_as_sent(warehouse, table)
    for row in rows:
        for column in ("source", "batch_id"):
            row.pop(column)
        if table == "patient":
            row.pop("source_id")
        if table == "encounter":
            row["diagnoses"] = sorted(
                row["diagnoses"] or [], key=lambda d: (d["rank"] is None, d["rank"], d["code"])
            )
    return sorted(rows, key=lambda r: json.dumps(r, default=str, sort_keys=True))


def test_synthetic_population_survives_export_and_ingest(tmp_path: Path) -> None:
    original = Warehouse(tmp_path / "original")
    synthesise(original, area=AREA, seed=11, people=400)
    export_fhir(tmp_path / "fhir", warehouse=original)
    patients = original.read_arrow("patient").to_pylist()
    practices = {p["practice_code"]: p["icp"] for p in patients if p["registered"] and p["practice_code"]}

    copy = Warehouse(tmp_path / "copy")
    report = ingest([tmp_path / "fhir"], warehouse=copy, area=AREA, practices=practices)

    assert report.put_aside == 0, report.quarantine_path and report.quarantine_path.read_text()[:2000]
    # The copy names each person by its own opaque id, not the exported one (kept as source_id).
    people = copy.read_arrow("patient").to_pylist()
    assert all(p["patient_id"].startswith("P-") and p["patient_id"] != p["source_id"] for p in people)
    for table in CLINICAL_TABLES:
        before, after = comparable(original, table), comparable(copy, table)
        assert len(after) == len(before), table
        for left, right in zip(before, after, strict=True):
            assert left == right, (table, left, right)


def test_a_synthetic_population_exports_as_valid_fhir(tmp_path: Path) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    original = Warehouse(tmp_path / "original")
    synthesise(original, area=AREA, seed=12, people=200)
    result = export_fhir(tmp_path / "fhir", warehouse=original)

    assert set(result.counts) >= {"Patient", "Condition", "Observation", "Encounter"}
    for resource_type, count in result.counts.items():
        assert count == original_count(original, resource_type)
        lines = (tmp_path / "fhir" / f"{resource_type}.ndjson").read_text().splitlines()
        for line in lines[:: max(1, len(lines) // 200)]:  # about 200 of each type
            resource = json.loads(line)
            get_fhir_model_class(resource_type).model_validate(resource)
            assert resource["meta"]["tag"][0]["code"] == "HTEST"  # labelled synthetic


def original_count(warehouse: Warehouse, resource_type: str) -> int:
    table = {
        "Patient": "patient",
        "Condition": "condition",
        "Observation": "observation",
        "Encounter": "encounter",
        "Procedure": "procedure",
        "MedicationStatement": "medication",
        "MedicationRequest": "medication",
    }[resource_type]
    rows = warehouse.read_arrow(table)
    if table != "medication":
        return rows.num_rows
    kind = "statement" if resource_type == "MedicationStatement" else "request"
    return sum(1 for k in rows.column("kind").to_pylist() if k == kind)

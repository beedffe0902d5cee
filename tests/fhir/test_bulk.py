"""FHIR export: valid FHIR R4 resources, a Bulk Data manifest, and a lossless round trip."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from fhir.resources.R4B import get_fhir_model_class

from icp.fhir.bulk import export_fhir
from icp.records.ingest import ingest
from icp.records.schema import CLINICAL_TABLES
from icp.records.warehouse import Warehouse
from tests.records.ingest.conftest import rows_as_sent

AREA = "NI-NOR-CA"
OTHER = "NI-BEL-E"
PROVENANCE = {"source": "hand-made", "batch_id": "x", "synthetic": True}


def rows(table: str, *records: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(
        [{**PROVENANCE, **r} for r in records], schema=CLINICAL_TABLES[table]
    ).drop_columns([])


def hand_made(root: Path) -> Warehouse:
    warehouse = Warehouse(root)
    with warehouse.batch(kind="synth", source="hand-made") as batch:
        batch.write(
            "patient",
            rows(
                "patient",
                {
                    "patient_id": "S1",
                    "source_id": "S1",
                    "national_id": "3201234567",
                    "national_id_system": "hcn",
                    "given_name": "Ann",
                    "family_name": "Lee",
                    "sex": "female",
                    "birth_date": dt.date(1940, 3, 1),
                    "death_date": dt.date(2024, 2, 2),
                    "practice_code": "Z00001",
                    "registered": True,
                    "postcode_district": "BT52",
                    "small_area": "N00000001",
                    "deprivation_quintile": 3,
                    "icp": AREA,
                },
                {
                    "patient_id": "S2",
                    "source_id": "S2",
                    "sex": "male",
                    "birth_date": dt.date(1990, 1, 1),
                    "registered": False,
                    "icp": AREA,
                },
                {
                    "patient_id": "S3",
                    "source_id": "S3",
                    "sex": "male",
                    "birth_date": dt.date(1970, 1, 1),
                    "practice_code": "Z00002",
                    "registered": True,
                    "icp": OTHER,
                },
            ),
        )
        batch.write(
            "condition",
            rows(
                "condition",
                {
                    "condition_id": "C1",
                    "patient_id": "S1",
                    "code_system": "snomed",
                    "code": "38341003",
                    "display": "Hypertension",
                    "onset_date": dt.date(2010, 1, 1),
                    "recorded_date": dt.date(2010, 1, 2),
                    "clinical_status": "active",
                    "category": "problem-list-item",
                    "encounter_id": "E1",
                    "icp": AREA,
                },
                {
                    "condition_id": "C2",
                    "patient_id": "S1",
                    "code_system": "read2",
                    "code": "H33..",
                    "display": "Asthma",
                    "onset_date": dt.date(1990, 5, 5),
                    "abatement_date": dt.date(2000, 1, 1),
                    "clinical_status": "resolved",
                    "icp": AREA,
                },
            ),
        )
        batch.write(
            "observation",
            rows(
                "observation",
                {
                    "observation_id": "O1",
                    "patient_id": "S1",
                    "code_system": "snomed",
                    "code": "999791000000106",
                    "display": "HbA1c",
                    "effective_date": dt.date(2023, 1, 1),
                    "value_number": 53.0,
                    "value_unit": "mmol/mol",
                    "icp": AREA,
                },
                {
                    "observation_id": "O2",
                    "patient_id": "S2",
                    "code_system": "snomed",
                    "code": "72166-2",
                    "effective_date": dt.date(2023, 1, 1),
                    "value_code_system": "snomed",
                    "value_code": "77176002",
                    "value_display": "Smoker",
                    "icp": AREA,
                },
                {
                    "observation_id": "O3",
                    "patient_id": "S3",
                    "code_system": "loinc",
                    "code": "X",
                    "effective_date": dt.date(2022, 1, 1),
                    "value_text": "see letter",
                    "icp": OTHER,
                },
            ),
        )
        batch.write(
            "medication",
            rows(
                "medication",
                {
                    "medication_id": "M1",
                    "patient_id": "S1",
                    "code_system": "dmd",
                    "code": "322236009",
                    "display": "Paracetamol",
                    "kind": "request",
                    "status": "active",
                    "start_date": dt.date(2023, 2, 1),
                    "end_date": dt.date(2023, 8, 1),
                    "icp": AREA,
                },
                {
                    "medication_id": "M2",
                    "patient_id": "S1",
                    "code_system": "dmd",
                    "code": "318475005",
                    "display": "Amlodipine",
                    "kind": "statement",
                    "status": "active",
                    "start_date": dt.date(2015, 1, 1),
                    "icp": AREA,
                },
            ),
        )
        batch.write(
            "encounter",
            rows(
                "encounter",
                {
                    "encounter_id": "E1",
                    "patient_id": "S1",
                    "setting": "inpatient",
                    "admission_method": "emergency",
                    "type_code_system": "snomed",
                    "type_code": "183452005",
                    "type_display": "Emergency admission",
                    "start_date": dt.date(2023, 3, 1),
                    "end_date": dt.date(2023, 3, 9),
                    "provider_code": "ZT001",
                    "diagnoses": [
                        {"code_system": "icd10", "code": "J18.9", "display": "Pneumonia", "rank": 1},
                        {"code_system": "icd10", "code": "I10", "display": None, "rank": 2},
                    ],
                    "icp": AREA,
                },
                {
                    "encounter_id": "E2",
                    "patient_id": "S2",
                    "setting": "gp",
                    "start_date": dt.date(2023, 4, 1),
                    "end_date": dt.date(2023, 4, 1),
                    "diagnoses": [],
                    "icp": AREA,
                },
                {
                    "encounter_id": "E3",
                    "patient_id": "S1",
                    "setting": "inpatient",
                    "admission_method": "maternity",
                    "start_date": dt.date(2023, 5, 1),
                    "diagnoses": [],
                    "icp": AREA,
                },
            ),
        )
        batch.write(
            "procedure",
            rows(
                "procedure",
                {
                    "procedure_id": "X1",
                    "patient_id": "S1",
                    "code_system": "opcs4",
                    "code": "W37.1",
                    "performed_date": dt.date(2021, 9, 9),
                    "encounter_id": "E1",
                    "icp": AREA,
                },
            ),
        )
    return warehouse


def sorted_rows(warehouse: Warehouse, table: str) -> list[dict[str, Any]]:
    """The rows without provenance, people named as their source sent them (an ingesting warehouse
    gives each person an opaque id of its own)."""
    data = rows_as_sent(warehouse, table)
    for row in data:
        row.pop("source"), row.pop("batch_id")
    return sorted(data, key=lambda r: json.dumps(r, default=str, sort_keys=True))


def test_every_exported_resource_is_valid_fhir_r4(tmp_path: Path) -> None:
    warehouse = hand_made(tmp_path / "warehouse")
    result = export_fhir(tmp_path / "out", warehouse=warehouse)

    assert result.counts == {
        "Patient": 3,
        "Condition": 2,
        "Observation": 3,
        "MedicationRequest": 1,
        "MedicationStatement": 1,
        "Encounter": 3,
        "Procedure": 1,
    }
    for path in (tmp_path / "out").glob("*.ndjson"):
        for line in path.read_text().splitlines():
            resource = json.loads(line)
            model = get_fhir_model_class(resource["resourceType"])
            model.model_validate(resource)  # raises on anything that is not valid FHIR
            assert "null" not in line


def test_the_manifest_follows_bulk_data(tmp_path: Path) -> None:
    warehouse = hand_made(tmp_path / "warehouse")
    result = export_fhir(tmp_path / "out", warehouse=warehouse, areas=[OTHER])

    assert result.manifest is not None
    manifest = json.loads(result.manifest.read_text())
    assert set(manifest) >= {"transactionTime", "request", "requiresAccessToken", "output", "error"}
    assert {o["type"]: o["count"] for o in manifest["output"]} == {"Patient": 1, "Observation": 1}
    for output in manifest["output"]:
        assert output["url"].startswith("file://")
        assert Path(output["url"].removeprefix("file://")).exists()


def test_export_then_ingest_into_an_empty_warehouse_gives_the_same_tables(tmp_path: Path) -> None:
    original = hand_made(tmp_path / "original")
    export_fhir(tmp_path / "out", warehouse=original)
    copy = Warehouse(tmp_path / "copy")

    report = ingest(
        [tmp_path / "out"], warehouse=copy, area=AREA, practices={"Z00001": AREA, "Z00002": OTHER}
    )

    assert report.put_aside == 0
    for table in CLINICAL_TABLES:
        assert sorted_rows(copy, table) == sorted_rows(original, table), table


@pytest.mark.parametrize("table", ["patient", "encounter"])
def test_export_of_one_icp_holds_only_that_icp(tmp_path: Path, table: str) -> None:
    warehouse = hand_made(tmp_path / "warehouse")
    export_fhir(tmp_path / "out", warehouse=warehouse, areas=[AREA])
    text = (tmp_path / "out" / f"{table.capitalize()}.ndjson").read_text()
    assert "S3" not in text


def test_a_linked_persons_records_link_to_each_other_in_the_export(tmp_path: Path) -> None:
    """Two sources' records of one person (record linkage's `person_id`) export as Patients with
    FHIR's "seealso" link to each other; a record of a person of its own has none."""
    warehouse = hand_made(tmp_path / "warehouse")
    with warehouse.batch(kind="ingest", source="a trust (hand-made)") as batch:
        batch.write(
            "patient",
            rows(
                "patient",
                {
                    "patient_id": "T1",
                    "source_id": "T1",
                    "person_id": "S1",
                    "given_name": "Ann",
                    "family_name": "Lee",
                    "sex": "female",
                    "birth_date": dt.date(1940, 3, 1),
                    "registered": False,
                    "icp": AREA,
                },
            ),
        )
    export_fhir(tmp_path / "out", warehouse=warehouse)

    patients = {
        resource["id"]: resource
        for resource in map(json.loads, (tmp_path / "out" / "Patient.ndjson").read_text().splitlines())
    }
    assert patients["T1"]["link"] == [{"other": {"reference": "Patient/S1"}, "type": "seealso"}]
    assert patients["S1"]["link"] == [{"other": {"reference": "Patient/T1"}, "type": "seealso"}]
    assert "link" not in patients["S2"]
    get_fhir_model_class("Patient").model_validate(patients["T1"])

"""The mapping of each FHIR resource type to its warehouse row, from small hand-written resources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from icp.records.ingest import ingest
from icp.records.warehouse import Warehouse
from tests.records.ingest.conftest import AREA, patient, warehouse_id

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"


def load_one(warehouse: Warehouse, write_ndjson: Callable[..., Path], *resources: dict[str, Any]) -> None:
    # Mixed types in one file with no type in its name: the careful path maps them all.
    report = ingest([write_ndjson("mixed.ndjson", patient("p1"), *resources)], warehouse=warehouse, area=AREA)
    assert report.put_aside == 0, report.quarantine_path and report.quarantine_path.read_text()


def only_row(warehouse: Warehouse, table: str) -> dict[str, Any]:
    (row,) = warehouse.read_arrow(table).to_pylist()
    return row


def test_patient(warehouse: Warehouse, write_ndjson: Callable[..., Path]) -> None:
    resource = {
        "resourceType": "Patient",
        "id": "p9",
        "meta": {"tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}]},
        "identifier": [
            {"system": "urn:other", "value": "x"},
            {"system": "https://fhir.hscni.net/Id/hcn", "value": "3201234567"},
        ],
        "name": [
            {"use": "nickname", "given": ["Jo"]},
            {"use": "official", "family": "Doe", "given": ["Jo", "Ann"]},
        ],
        "gender": "female",
        "birthDate": "1941-07",
        "deceasedDateTime": "2024-01-02T03:04:05Z",
        "address": [{"use": "home", "postalCode": "bt52 1aa"}],
        "extension": [
            {"url": "urn:icp:fhir:StructureDefinition:small-area", "valueString": "N00001234"},
            {"url": "urn:icp:fhir:StructureDefinition:deprivation-quintile", "valueInteger": 2},
        ],
    }
    ingest([write_ndjson("Patient.ndjson", resource)], warehouse=warehouse, area=AREA)
    row = only_row(warehouse, "patient")
    assert row == {
        "patient_id": warehouse_id(warehouse, "p9"),  # the warehouse's own opaque id
        "source_id": "p9",
        "person_id": warehouse_id(warehouse, "p9"),  # a person of its own until linked
        "national_id": "3201234567",
        "national_id_system": "hcn",
        "given_name": "Jo Ann",
        "family_name": "Doe",
        "sex": "female",
        "birth_date": dt.date(1941, 7, 1),
        "death_date": dt.date(2024, 1, 2),
        "practice_code": None,
        "registered": False,
        "postcode_district": "BT52",
        "small_area": "N00001234",
        "deprivation_quintile": 2,
        "icp": AREA,
        "source": "fhir:Patient",
        "batch_id": row["batch_id"],
        "synthetic": True,
    }


def test_condition(warehouse: Warehouse, write_ndjson: Callable[..., Path]) -> None:
    load_one(
        warehouse,
        write_ndjson,
        {
            "resourceType": "Condition",
            "id": "c1",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "category": [{"coding": [{"code": "problem-list-item"}]}],
            "code": {
                "coding": [{"system": "urn:local", "code": "HT"}, {"system": SNOMED, "code": "38341003"}],
                "text": "High blood pressure",
            },
            "subject": {"reference": "https://gp.example/fhir/Patient/p1/_history/3"},
            "encounter": {"reference": "Encounter/e1"},
            "onsetPeriod": {"start": "2015"},
            "recordedDate": "2015-03-04",
            "abatementDateTime": "2020-01-01T00:00:00+00:00",
        },
    )
    row = only_row(warehouse, "condition")
    assert (row["patient_id"], row["code_system"], row["code"], row["display"]) == (
        warehouse_id(warehouse, "p1"),
        "snomed",
        "38341003",
        "High blood pressure",
    )
    assert (row["onset_date"], row["recorded_date"], row["abatement_date"]) == (
        dt.date(2015, 1, 1),
        dt.date(2015, 3, 4),
        dt.date(2020, 1, 1),
    )
    assert (row["clinical_status"], row["category"], row["encounter_id"]) == (
        "active",
        "problem-list-item",
        "e1",
    )
    assert row["synthetic"] is False


def test_observation_with_a_quantity_a_code_or_text(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    base = {"resourceType": "Observation", "status": "final", "subject": {"reference": "Patient/p1"}}
    load_one(
        warehouse,
        write_ndjson,
        {
            **base,
            "id": "o1",
            "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4", "display": "HbA1c"}]},
            "effectivePeriod": {"start": "2023-05-06T09:00:00+01:00"},
            "valueQuantity": {"value": 53.5, "unit": "mmol/mol"},
        },
        {
            **base,
            "id": "o2",
            "code": {"coding": [{"system": SNOMED, "code": "72166-2"}]},
            "effectiveDateTime": "2023-05-06",
            "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "77176002", "display": "Smoker"}]},
        },
        {
            **base,
            "id": "o3",
            "code": {"coding": [{"system": "http://read.info/ctv3", "code": "XaJ0i"}]},
            "issued": "2023-05-07T00:00:00Z",
            "valueString": "see letter",
        },
    )
    rows = {r["observation_id"]: r for r in warehouse.read_arrow("observation").to_pylist()}
    assert (rows["o1"]["code_system"], rows["o1"]["value_number"], rows["o1"]["value_unit"]) == (
        "loinc",
        53.5,
        "mmol/mol",
    )
    assert rows["o1"]["effective_date"] == dt.date(2023, 5, 6)
    assert (rows["o2"]["value_code_system"], rows["o2"]["value_code"], rows["o2"]["value_display"]) == (
        "snomed",
        "77176002",
        "Smoker",
    )
    assert (rows["o3"]["code_system"], rows["o3"]["value_text"], rows["o3"]["effective_date"]) == (
        "ctv3",
        "see letter",
        dt.date(2023, 5, 7),
    )


def test_medication_statement_and_request(warehouse: Warehouse, write_ndjson: Callable[..., Path]) -> None:
    dmd = {"coding": [{"system": "https://dmd.nhs.uk", "code": "322236009", "display": "Paracetamol 500mg"}]}
    load_one(
        warehouse,
        write_ndjson,
        {
            "resourceType": "MedicationStatement",
            "id": "m1",
            "status": "active",
            "medicationCodeableConcept": dmd,
            "subject": {"reference": "Patient/p1"},
            "context": {"reference": "Encounter/e1"},
            "effectivePeriod": {"start": "2022-01-01", "end": "2022-06-30"},
        },
        {
            "resourceType": "MedicationRequest",
            "id": "m2",
            "status": "completed",
            "intent": "order",
            "contained": [{"resourceType": "Medication", "id": "med", "code": dmd}],
            "medicationReference": {"reference": "#med"},
            "subject": {"reference": "Patient/p1"},
            "authoredOn": "2022-02-03T10:00:00Z",
            "dispenseRequest": {"validityPeriod": {"start": "2022-02-03", "end": "2022-08-03"}},
        },
        {"resourceType": "Medication", "id": "shared", "code": dmd},
        {
            "resourceType": "MedicationRequest",
            "id": "m3",
            "status": "active",
            "intent": "order",
            "medicationReference": {"reference": "Medication/shared"},
            "subject": {"reference": "Patient/p1"},
            "authoredOn": "2023-01-01",
        },
    )
    rows = {r["medication_id"]: r for r in warehouse.read_arrow("medication").to_pylist()}
    assert sorted(rows) == ["m1", "m2", "m3"]
    assert {r["code"] for r in rows.values()} == {"322236009"}
    assert {r["code_system"] for r in rows.values()} == {"dmd"}
    assert (
        rows["m1"]["kind"],
        rows["m1"]["start_date"],
        rows["m1"]["end_date"],
        rows["m1"]["encounter_id"],
    ) == (
        "statement",
        dt.date(2022, 1, 1),
        dt.date(2022, 6, 30),
        "e1",
    )
    assert (rows["m2"]["kind"], rows["m2"]["status"], rows["m2"]["start_date"], rows["m2"]["end_date"]) == (
        "request",
        "completed",
        dt.date(2022, 2, 3),
        dt.date(2022, 8, 3),
    )


def test_hospital_encounter_carries_its_icd10_diagnoses(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    load_one(
        warehouse,
        write_ndjson,
        {
            "resourceType": "Condition",
            "id": "dx-pneumonia",
            "subject": {"reference": "Patient/p1"},
            "code": {
                "coding": [
                    {"system": SNOMED, "code": "233604007", "display": "Pneumonia"},
                    {"system": ICD10, "code": "J18.9", "display": "Pneumonia, unspecified"},
                ]
            },
        },
        {
            "resourceType": "Encounter",
            "id": "e1",
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
            "priority": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActPriority", "code": "EM"}]
            },
            "type": [{"coding": [{"system": SNOMED, "code": "183452005", "display": "Emergency admission"}]}],
            "subject": {"reference": "Patient/p1"},
            "period": {"start": "2024-01-10T22:00:00Z", "end": "2024-01-15"},
            "serviceProvider": {
                "identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "ZT001"}
            },
            "contained": [
                {
                    "resourceType": "Condition",
                    "id": "d2",
                    "code": {"coding": [{"system": ICD10, "code": "I10"}]},
                }
            ],
            "diagnosis": [
                {"condition": {"reference": "#d2"}, "rank": 2},
                {"condition": {"reference": "Condition/dx-pneumonia"}, "rank": 1},
            ],
        },
    )
    row = only_row(warehouse, "encounter")
    assert (row["setting"], row["admission_method"], row["provider_code"]) == (
        "inpatient",
        "emergency",
        "ZT001",
    )
    assert (row["start_date"], row["end_date"]) == (dt.date(2024, 1, 10), dt.date(2024, 1, 15))
    assert (row["type_code_system"], row["type_code"]) == ("snomed", "183452005")
    assert row["diagnoses"] == [
        {"code_system": "icd10", "code": "J18.9", "display": "Pneumonia, unspecified", "rank": 1},
        {"code_system": "icd10", "code": "I10", "display": None, "rank": 2},
    ]


def test_procedure(warehouse: Warehouse, write_ndjson: Callable[..., Path]) -> None:
    load_one(
        warehouse,
        write_ndjson,
        {
            "resourceType": "Procedure",
            "id": "x1",
            "status": "completed",
            "code": {"coding": [{"system": "http://fhir.nhs.uk/Id/opcs-4", "code": "W37.1"}]},
            "subject": {"reference": "Patient/p1"},
            "performedPeriod": {"start": "2021-09-09T08:00:00Z", "end": "2021-09-09T11:00:00Z"},
        },
    )
    row = only_row(warehouse, "procedure")
    assert (row["code_system"], row["code"], row["performed_date"]) == ("opcs4", "W37.1", dt.date(2021, 9, 9))


def test_an_unknown_code_system_is_kept_as_its_uri(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    load_one(
        warehouse,
        write_ndjson,
        {
            "resourceType": "Condition",
            "id": "c1",
            "subject": {"reference": "Patient/p1"},
            "code": {"coding": [{"system": "https://emis.example/codes", "code": "EMISNQ1"}]},
        },
    )
    row = only_row(warehouse, "condition")
    assert (row["code_system"], row["code"]) == ("https://emis.example/codes", "EMISNQ1")


def test_every_staging_column_has_the_one_type_stage_columns_states() -> None:
    """STAGE_COLUMNS is the one table of staging types: the packed columns, and those derived in the
    query (a reference's id, the coding picked), come out of the `stage` view with exactly its types."""
    from icp.records.ingest.mapping import EXPRESSIONS, PACKED, STAGE_COLUMNS, STAGE_VIEW, stage_select
    from icp.records.ingest.shape import install_macros
    from icp.records.ingest.stage import Stager

    con = duckdb.connect()
    install_macros(con)
    Stager(con, synthetic=False).create_tables()
    con.execute(f"CREATE OR REPLACE TABLE stage_rows AS {stage_select(list(EXPRESSIONS), synthetic=False)}")
    con.execute(STAGE_VIEW)
    described = {name: sql_type for name, sql_type, *_ in con.execute("DESCRIBE stage").fetchall()}
    packed = [column for _owners, columns in PACKED.values() for column in columns]
    assert set(packed) <= set(STAGE_COLUMNS)
    for column in [*packed, "medication_id", "part_of_id", "value_code", "type_code"]:
        expected = con.execute(f"SELECT NULL::{STAGE_COLUMNS[column]}").description[0][1]
        assert (column, described[column]) == (column, str(expected)), column

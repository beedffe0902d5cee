"""Stage 2 on data shaped as real servers shape it: admission methods from the signals other sources
use, hospital diagnoses as Conditions naming their encounter, uncoded entries kept and counted.

The inputs are tests/fixtures/fhir (UK Core and US Core style Bundles, synthetic) and Synthea's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from icp.records.ingest import IngestReport, ingest
from icp.records.warehouse import Warehouse
from tests.records.ingest.conftest import AREA, SYNTHEA, patient

FHIR = Path(__file__).resolve().parents[2] / "fixtures" / "fhir"
UK_CORE = FHIR / "uk_core_admissions.json"
US_CORE = FHIR / "us_core_admission.json"


@pytest.fixture
def loaded(warehouse: Warehouse) -> tuple[Warehouse, IngestReport]:
    return warehouse, ingest([FHIR], warehouse=warehouse, area=AREA)


def rows(warehouse: Warehouse, table: str, key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in warehouse.read_arrow(table).to_pylist()}


def test_every_record_of_the_real_shaped_bundles_loads(loaded: tuple[Warehouse, IngestReport]) -> None:
    _warehouse, report = loaded
    assert report.put_aside == 0 and report.exit_status == 0
    assert report.accepted == report.read == 21


@pytest.mark.parametrize(
    ("encounter_id", "setting", "method"),
    [
        ("uk-ae1", "ae", None),  # an A&E attendance
        ("uk-imp1", "inpatient", "emergency"),  # partOf the A&E attendance
        ("uk-imp2", "inpatient", "emergency"),  # UK Core admission method 21
        ("uk-imp3", "inpatient", "emergency"),  # priority EM
        ("uk-imp4", "inpatient", "emergency"),  # class ACUTE, admitSource emd
        ("uk-imp5", "inpatient", "elective"),  # UK Core admission method 12
        ("uk-imp6", "inpatient", None),  # no signal at all
        ("uk-ae2", "ae", None),  # priority EM, but an attendance alone is not an admission
        ("6f1c1d2e-0000-4000-8000-000000000002", "inpatient", "emergency"),  # US Core, priority EM
    ],
)
def test_emergency_admissions_are_read_from_every_standard_signal(
    loaded: tuple[Warehouse, IngestReport], encounter_id: str, setting: str, method: str | None
) -> None:
    encounter = rows(loaded[0], "encounter", "encounter_id")[encounter_id]
    assert (encounter["setting"], encounter["admission_method"]) == (setting, method)


def test_the_report_counts_admissions_by_method_and_those_without_one(
    loaded: tuple[Warehouse, IngestReport],
) -> None:
    report = loaded[1]
    assert report.admitted == 7
    assert report.admissions_by_method == {"emergency": 5, "elective": 1}
    assert report.admitted_without_method == 1


def test_an_admission_part_of_an_attendance_loaded_earlier_is_an_emergency(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    def encounter(encounter_id: str, class_code: str, **extra: Any) -> dict[str, Any]:
        return {
            "resourceType": "Encounter",
            "id": encounter_id,
            "status": "finished",
            "class": {"code": class_code},
            "subject": {"reference": "Patient/p1"},
            "period": {"start": "2025-01-01"},
            **extra,
        }

    ingest(
        [write_ndjson("first.ndjson", patient("p1"), encounter("ae1", "EMER"))],
        warehouse=warehouse,
        area=AREA,
    )
    later = write_ndjson("later.ndjson", encounter("imp1", "IMP", partOf={"reference": "Encounter/ae1"}))
    ingest([later], warehouse=warehouse, area=AREA)
    assert rows(warehouse, "encounter", "encounter_id")["imp1"]["admission_method"] == "emergency"


def test_hospital_diagnoses_name_their_encounter_and_keep_their_icd10_coding(
    loaded: tuple[Warehouse, IngestReport],
) -> None:
    conditions = rows(loaded[0], "condition", "condition_id")
    assert conditions["uk-c1"]["encounter_id"] == "uk-imp1"
    assert conditions["uk-c1"]["category"] == "encounter-diagnosis"
    assert conditions["uk-c3"]["category"] == "problem-list-item"
    # Coded in SNOMED CT and ICD-10: a hospital diagnosis keeps the ICD-10 coding.
    dual = conditions["6f1c1d2e-0000-4000-8000-000000000003"]
    assert (dual["code_system"], dual["code"]) == ("icd10", "F05.9")


def test_uncoded_entries_are_kept_with_their_text_and_counted(loaded: tuple[Warehouse, IngestReport]) -> None:
    warehouse, report = loaded
    medications = rows(warehouse, "medication", "medication_id")
    assert {k: (v["code"], v["display"]) for k, v in medications.items()} == {
        "uk-m1": (None, "Ibuprofen 400mg tablets"),
        "uk-m2": (None, "Co-codamol 30mg/500mg"),  # its Medication is not in the extract
    }
    procedure = rows(warehouse, "procedure", "procedure_id")["uk-pr1"]
    assert (procedure["code"], procedure["display"]) == (None, "Dressing of leg ulcer")
    uncoded = {t: c.uncoded for t, c in report.by_type.items() if c.uncoded}
    assert uncoded == {"MedicationRequest": 1, "MedicationStatement": 1, "Procedure": 1}
    assert report.uncoded == 3


def test_only_records_fhir_itself_rejects_are_put_aside(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    subject = {"subject": {"reference": "Patient/p1"}}
    path = write_ndjson(
        "extract.ndjson",
        patient("p1"),
        {
            "resourceType": "Observation",
            "id": "o-text",
            "status": "final",
            "code": {"text": "Frailty review"},
            **subject,
        },
        {
            "resourceType": "Observation",
            "id": "o-none",
            "status": "final",
            "code": {"coding": [{"display": "x"}]},
            **subject,
        },
        {"resourceType": "Condition", "id": "c-no-code", **subject},
        {
            "resourceType": "MedicationRequest",
            "id": "m-none",
            "status": "active",
            "intent": "order",
            **subject,
        },
    )
    report = ingest([path], warehouse=warehouse, area=AREA)
    assert report.by_type["Observation"].accepted == 1 and report.by_type["Observation"].uncoded == 1
    assert report.by_type["Condition"].accepted == 1
    assert report.by_type["MedicationRequest"].put_aside == 1
    assert report.quarantine_path is not None
    reasons = {
        entry["id"]: entry["reason"]
        for entry in map(json.loads, report.quarantine_path.read_text(encoding="utf-8").splitlines())
    }
    assert reasons == {
        "o-none": "code: required, but has no coding with a code and no text",
        "m-none": "medication[x]: required, but has no coding, no text and no medicationReference",
    }


def test_an_encounter_whose_diagnosis_reference_resolves_nowhere_is_kept_and_counted(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    path = write_ndjson(
        "extract.ndjson",
        patient("p1"),
        {
            "resourceType": "Encounter",
            "id": "e1",
            "status": "finished",
            "class": {"code": "IMP"},
            "subject": {"reference": "Patient/p1"},
            "period": {"start": "2025-01-01"},
            "diagnosis": [{"condition": {"reference": "Condition/elsewhere"}}],
        },
    )
    report = ingest([path], warehouse=warehouse, area=AREA)
    assert report.put_aside == 0
    assert report.unresolved_diagnoses == 1
    assert rows(warehouse, "encounter", "encounter_id")["e1"]["diagnoses"] == []


def test_synthea_admissions_and_attendances(warehouse: Warehouse) -> None:
    report = ingest([SYNTHEA], warehouse=warehouse, area=AREA)
    settings = [row["setting"] for row in warehouse.read_arrow("encounter").to_pylist()]
    assert settings.count("ae") == 10 and settings.count("inpatient") == 2
    # Synthea's two inpatient stays carry no admission method: counted, not guessed.
    assert (report.admitted, report.admitted_without_method) == (2, 2)


def test_one_warehouse_row_per_resource_a_repeated_id_loads_once(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    first = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003"}]},
    }
    again = {**first, "code": {"text": "Hypertension"}}
    path = write_ndjson("extract.ndjson", patient("p1"), first, again)
    report = ingest([path], warehouse=warehouse, area=AREA)
    assert report.by_type["Condition"].accepted == 1 and report.by_type["Condition"].put_aside == 1
    assert rows(warehouse, "condition", "condition_id")["c1"]["code"] == "38341003"  # the first copy
    assert report.quarantine_path is not None
    (entry,) = map(json.loads, report.quarantine_path.read_text(encoding="utf-8").splitlines())
    assert (entry["line"], entry["reason"]) == (3, "Condition id 'c1' appears more than once in this load")


def test_in_a_bundle_too_a_repeated_id_loads_once_as_first_sent(warehouse: Warehouse, tmp_path: Path) -> None:
    # Every entry refers to its patient by fullUrl, so each reference is resolved by a join to the
    # Bundle's fullUrls; the entries still keep the order they were sent in.
    def entry(resource: dict[str, Any]) -> dict[str, Any]:
        return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}

    def coded(code: str) -> dict[str, Any]:
        return {
            "resourceType": "Condition",
            "id": "c1",
            "subject": {"reference": "urn:uuid:p1"},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": code}]},
        }

    resources = [patient("p1"), coded("38341003"), *(coded(str(n)) for n in range(2, 40))]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [entry(r) for r in resources]}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    report = ingest([path], warehouse=warehouse, area=AREA)
    assert report.by_type["Condition"].accepted == 1 and report.by_type["Condition"].put_aside == 38
    assert rows(warehouse, "condition", "condition_id")["c1"]["code"] == "38341003"  # the first copy
    assert report.quarantine_path is not None
    entries = [json.loads(line) for line in report.quarantine_path.read_text(encoding="utf-8").splitlines()]
    assert [e["entry"] for e in entries] == list(range(3, 41))
    assert [e["record"]["code"]["coding"][0]["code"] for e in entries] == [str(n) for n in range(2, 40)]

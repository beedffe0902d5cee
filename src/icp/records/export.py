"""`export_fhir`: write the warehouse (or some ICPs of it) as FHIR R4 Bulk Data NDJSON.

One file per resource type (Patient, Condition, Observation, MedicationStatement, MedicationRequest,
Encounter, Procedure) and a Bulk Data export manifest (`manifest.json`). Codes go out under their
canonical code-system URIs; what FHIR has no field for (care setting, admission method, small area,
deprivation quintile) goes in icp's own code systems and extensions (ingest/shape.py), and synthetic
rows carry the HL7 test-data tag, so that exporting and ingesting again gives the same tables.
Hospital diagnoses travel as contained Conditions of their Encounter. Files are written in Arrow
batches, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import pyarrow.parquet as pq

from icp.records.ingest.shape import (
    ADMISSION_METHOD_SYSTEM,
    CARE_SETTING_SYSTEM,
    DEPRIVATION_QUINTILE_EXTENSION,
    ODS_ORGANISATION_SYSTEM,
    SMALL_AREA_EXTENSION,
    TEST_DATA_TAG_CODE,
    TEST_DATA_TAG_SYSTEM,
)
from icp.records.schema import CODE_SYSTEMS, ID_SYSTEMS
from icp.records.warehouse import Warehouse

Row = dict[str, Any]

SETTING_CLASS = {"gp": "AMB", "outpatient": "AMB", "ae": "EMER", "inpatient": "IMP", "community": "HH"}
ADMISSION_PRIORITY = {"emergency": "EM", "elective": "EL"}
MEDICATION_REQUEST_STATUSES = {
    "active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown",
}  # fmt: skip
MEDICATION_STATEMENT_STATUSES = {
    "active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken",
}  # fmt: skip
GENDERS = {"male", "female", "other", "unknown"}
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clean(value: Any) -> Any:
    """Drop None, empty lists and empty objects: FHIR JSON has no nulls."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [c for c in (_clean(v) for v in value) if c is not None and c != {}]
    return value


def _codeable(system: str | None, code: str | None, display: str | None) -> Row | None:
    if code is None:
        return {"text": display} if display else None
    coding = {"system": CODE_SYSTEMS.get(system or "", system), "code": code, "display": display}
    return {"coding": [coding], "text": display}


def _meta(row: Row) -> Row | None:
    if not row.get("synthetic"):
        return None
    return {
        "tag": [{"system": TEST_DATA_TAG_SYSTEM, "code": TEST_DATA_TAG_CODE, "display": "test health data"}]
    }


def _reference(resource_type: str, resource_id: str | None) -> Row | None:
    return {"reference": f"{resource_type}/{resource_id}"} if resource_id else None


def patient(row: Row) -> Row:
    gender = row["sex"] if row["sex"] in GENDERS else None
    extensions = []
    if row["small_area"]:
        extensions.append({"url": SMALL_AREA_EXTENSION, "valueString": row["small_area"]})
    if row["deprivation_quintile"] is not None:
        extensions.append(
            {"url": DEPRIVATION_QUINTILE_EXTENSION, "valueInteger": row["deprivation_quintile"]}
        )
    identifier = None
    if row["national_id"]:
        system = ID_SYSTEMS.get(row["national_id_system"] or "", row["national_id_system"])
        identifier = [{"system": system, "value": row["national_id"]}]
    practice = None
    if row["registered"] and row["practice_code"]:
        practice = [
            {
                "type": "Organization",
                "identifier": {"system": ODS_ORGANISATION_SYSTEM, "value": row["practice_code"]},
            }
        ]
    name = None
    if row["family_name"] or row["given_name"]:
        given = [row["given_name"]] if row["given_name"] else None
        name = [{"use": "official", "family": row["family_name"], "given": given}]
    return {
        "resourceType": "Patient",
        "id": row["patient_id"],
        "meta": _meta(row),
        "extension": extensions,
        "identifier": identifier,
        "name": name,
        "gender": gender,
        "birthDate": _iso(row["birth_date"]),
        "deceasedDateTime": _iso(row["death_date"]),
        "address": [{"use": "home", "postalCode": row["postcode_district"]}]
        if row["postcode_district"]
        else None,
        "generalPractitioner": practice,
    }


def condition(row: Row) -> Row:
    status = row["clinical_status"]
    category = row["category"]
    return {
        "resourceType": "Condition",
        "id": row["condition_id"],
        "meta": _meta(row),
        "clinicalStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": status}]
        }
        if status
        else None,
        "category": [
            {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": category}
                ]
            }
        ]
        if category
        else None,
        "code": _codeable(row["code_system"], row["code"], row["display"]),
        "subject": _reference("Patient", row["patient_id"]),
        "encounter": _reference("Encounter", row["encounter_id"]),
        "onsetDateTime": _iso(row["onset_date"]),
        "abatementDateTime": _iso(row["abatement_date"]),
        "recordedDate": _iso(row["recorded_date"]),
    }


def observation(row: Row) -> Row:
    value: dict[str, Any] = {}
    if row["value_number"] is not None:
        value["valueQuantity"] = {"value": row["value_number"], "unit": row["value_unit"]}
    elif row["value_code"] is not None:
        value["valueCodeableConcept"] = _codeable(
            row["value_code_system"], row["value_code"], row["value_display"]
        )
    elif row["value_text"] is not None:
        value["valueString"] = row["value_text"]
    return {
        "resourceType": "Observation",
        "id": row["observation_id"],
        "meta": _meta(row),
        "status": "final",
        "code": _codeable(row["code_system"], row["code"], row["display"]),
        "subject": _reference("Patient", row["patient_id"]),
        "encounter": _reference("Encounter", row["encounter_id"]),
        "effectiveDateTime": _iso(row["effective_date"]),
        **value,
    }


def medication(row: Row) -> Row:
    medicine = _codeable(row["code_system"], row["code"], row["display"])
    if row["kind"] == "statement":
        status = row["status"] if row["status"] in MEDICATION_STATEMENT_STATUSES else "unknown"
        return {
            "resourceType": "MedicationStatement",
            "id": row["medication_id"],
            "meta": _meta(row),
            "status": status,
            "medicationCodeableConcept": medicine,
            "subject": _reference("Patient", row["patient_id"]),
            "context": _reference("Encounter", row["encounter_id"]),
            "effectivePeriod": {"start": _iso(row["start_date"]), "end": _iso(row["end_date"])},
        }
    status = row["status"] if row["status"] in MEDICATION_REQUEST_STATUSES else "unknown"
    validity = {"end": _iso(row["end_date"])} if row["end_date"] else None
    return {
        "resourceType": "MedicationRequest",
        "id": row["medication_id"],
        "meta": _meta(row),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": medicine,
        "subject": _reference("Patient", row["patient_id"]),
        "encounter": _reference("Encounter", row["encounter_id"]),
        "authoredOn": _iso(row["start_date"]),
        "dispenseRequest": {"validityPeriod": validity} if validity else None,
    }


def encounter(row: Row) -> Row:
    setting = row["setting"]
    method = row["admission_method"]
    priority = None
    if method:
        codings = [{"system": ADMISSION_METHOD_SYSTEM, "code": method}]
        if method in ADMISSION_PRIORITY:
            codings.append({"system": ACT_PRIORITY, "code": ADMISSION_PRIORITY[method]})
        priority = {"coding": codings}
    contained, diagnoses = [], []
    for number, diagnosis in enumerate(row["diagnoses"] or [], start=1):
        local_id = f"diagnosis-{number}"
        contained.append(
            {
                "resourceType": "Condition",
                "id": local_id,
                "code": _codeable(diagnosis["code_system"], diagnosis["code"], diagnosis["display"]),
                "subject": _reference("Patient", row["patient_id"]),
            }
        )
        rank = diagnosis["rank"] if diagnosis["rank"] is not None and diagnosis["rank"] > 0 else None
        diagnoses.append({"condition": {"reference": f"#{local_id}"}, "rank": rank})
    # The provider's code as given (a trust or practice code); its issuing system is not recorded.
    provider = (
        {"type": "Organization", "identifier": {"value": row["provider_code"]}}
        if row["provider_code"]
        else None
    )
    return {
        "resourceType": "Encounter",
        "id": row["encounter_id"],
        "meta": _meta(row),
        "contained": contained,
        "status": "finished" if row["end_date"] else "in-progress",
        "class": {"system": ACT_CODE, "code": SETTING_CLASS.get(setting or "", "AMB")},
        "type": [_codeable(row["type_code_system"], row["type_code"], row["type_display"])],
        "serviceType": {"coding": [{"system": CARE_SETTING_SYSTEM, "code": setting}]} if setting else None,
        "priority": priority,
        "subject": _reference("Patient", row["patient_id"]),
        "period": {"start": _iso(row["start_date"]), "end": _iso(row["end_date"])},
        "diagnosis": diagnoses,
        "serviceProvider": provider,
    }


def procedure(row: Row) -> Row:
    return {
        "resourceType": "Procedure",
        "id": row["procedure_id"],
        "meta": _meta(row),
        "status": "completed",
        "code": _codeable(row["code_system"], row["code"], row["display"]),
        "subject": _reference("Patient", row["patient_id"]),
        "encounter": _reference("Encounter", row["encounter_id"]),
        "performedDateTime": _iso(row["performed_date"]),
    }


BUILDERS: dict[str, Callable[[Row], Row]] = {
    "patient": patient,
    "condition": condition,
    "observation": observation,
    "medication": medication,
    "encounter": encounter,
    "procedure": procedure,
}


@dataclass
class ExportResult:
    out: Path
    counts: dict[str, int] = field(default_factory=dict)  # resource type → resources written
    manifest: Path | None = None


def _rows(files: Sequence[Path]) -> Iterator[Row]:
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000):
            yield from batch.to_pylist()


def export_fhir(
    out: Path | str,
    *,
    warehouse: Warehouse | None = None,
    areas: Sequence[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ExportResult:
    """Write every clinical table (of `areas`, or all) to `out` as Bulk Data NDJSON + manifest.json."""
    warehouse = warehouse or Warehouse()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult(out=out)
    handles: dict[str, TextIO] = {}
    with contextlib.ExitStack() as stack:
        for table in BUILDERS:
            for row in _rows(warehouse.files(table, areas)):
                resource = _clean(BUILDERS[table](row))
                resource_type = resource["resourceType"]
                handle = handles.get(resource_type)
                if handle is None:
                    path = out / f"{resource_type}.ndjson"
                    handle = handles[resource_type] = stack.enter_context(open(path, "w", encoding="utf-8"))
                handle.write(json.dumps(resource, separators=(",", ":")) + "\n")
                result.counts[resource_type] = result.counts.get(resource_type, 0) + 1
            if progress:
                progress(table, sum(result.counts.values()))
    manifest = {
        "transactionTime": datetime.now(UTC).isoformat(timespec="seconds"),
        "request": "icp export fhir" + (f" --area {' --area '.join(areas)}" if areas else ""),
        "requiresAccessToken": False,
        "output": [
            {
                "type": resource_type,
                "url": (out / f"{resource_type}.ndjson").resolve().as_uri(),
                "count": count,
            }
            for resource_type, count in result.counts.items()
        ],
        "error": [],
    }
    result.manifest = out / "manifest.json"
    result.manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return result

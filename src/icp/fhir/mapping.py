"""The one mapping from warehouse rows to FHIR R4 resources, for the REST API and the Bulk export.

Pure Python (no Django: an import-linter contract says so), so the Bulk Data export (`bulk.py`)
and the REST API (`views.py`, through `resources.py`) build every clinical resource with the same
functions and the same row always gives the same resource, whichever door it leaves by.

A row is a dict with the warehouse table's column names (`icp.records.schema`); a missing column
counts as empty. Codes go out under their canonical code-system URIs; what FHIR has no field for
(care setting, admission method, small area, deprivation quintile) goes in icp's own code systems
and extensions (`records/ingest/shape.py`, which reads them back), and synthetic rows carry the
HL7 test-data tag, so exporting and ingesting again gives the same tables. Hospital diagnoses
travel as contained Conditions of their Encounter. JSON has no nulls: empty values are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

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

Row = dict[str, Any]
Resource = dict[str, Any]

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
SYNTHETIC_TAG = {"system": TEST_DATA_TAG_SYSTEM, "code": TEST_DATA_TAG_CODE, "display": "test health data"}

# Care setting → v3 ActCode encounter class (R4 `Encounter.class`).
SETTING_CLASS: dict[str, tuple[str, str]] = {
    "gp": ("AMB", "ambulatory"),
    "outpatient": ("AMB", "ambulatory"),
    "ae": ("EMER", "emergency"),
    "inpatient": ("IMP", "inpatient encounter"),
    "community": ("HH", "home health"),
}
ADMISSION_PRIORITY = {"emergency": "EM", "elective": "EL"}
GENDERS = {
    "male": "male",
    "m": "male",
    "female": "female",
    "f": "female",
    "other": "other",
    "unknown": "unknown",
}
CLINICAL_STATUSES = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
MEDICATION_REQUEST_STATUSES = {
    "active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown",
}  # fmt: skip
MEDICATION_STATEMENT_STATUSES = {
    "active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken",
}  # fmt: skip


def iso(value: Any) -> str | None:
    """A date or date-time as FHIR writes it (None stays None)."""
    return value.isoformat() if isinstance(value, date | datetime) else None


def clean(value: Any) -> Any:
    """Drop None, empty lists and empty objects, all the way down: FHIR JSON has no nulls."""
    if isinstance(value, dict):
        cleaned = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [c for c in (clean(v) for v in value) if c is not None and c != {}]
    return value


def compact(resource: Resource) -> Resource:
    """A resource with every empty value dropped (`clean`), typed as the resource it is."""
    return dict(clean(resource).items())


def codeable(system: str | None, code: str | None, display: str | None) -> Row | None:
    """A CodeableConcept: the code under its system's canonical URI, or the text alone when uncoded."""
    if not code:
        return {"text": display} if display else None
    coding = {"system": CODE_SYSTEMS.get(system or "", system), "code": code, "display": display}
    return {"coding": [coding], "text": display}


def coded(row: Row, prefix: str = "") -> Row | None:
    """The CodeableConcept of a row's `<prefix>code_system`, `<prefix>code` and `<prefix>display`."""
    return codeable(row.get(f"{prefix}code_system"), row.get(f"{prefix}code"), row.get(f"{prefix}display"))


def meta(synthetic: bool) -> Row | None:
    """Synthetic data is labelled wherever it is served: the v3 ActReason HTEST tag."""
    return {"tag": [dict(SYNTHETIC_TAG)]} if synthetic else None


def reference(resource_type: str, resource_id: str | None) -> Row | None:
    return {"reference": f"{resource_type}/{resource_id}"} if resource_id else None


def _lower(value: Any) -> str:
    return str(value or "").lower()


def patient(row: Row) -> Resource:
    """A Patient from a `patient` row. Optional keys: `practice_name` names the registered practice;
    `linked_ids` lists the other source records of the same person."""
    extensions = []
    if row.get("small_area"):
        extensions.append({"url": SMALL_AREA_EXTENSION, "valueString": row["small_area"]})
    if row.get("deprivation_quintile") is not None:
        extensions.append(
            {"url": DEPRIVATION_QUINTILE_EXTENSION, "valueInteger": row["deprivation_quintile"]}
        )
    identifier = None
    if row.get("national_id"):
        system = row.get("national_id_system")
        identifier = [{"system": ID_SYSTEMS.get(system or "", system), "value": row["national_id"]}]
    practice = None
    if row.get("registered") and row.get("practice_code"):
        organisation = {"system": ODS_ORGANISATION_SYSTEM, "value": row["practice_code"]}
        practice = [{"type": "Organization", "identifier": organisation, "display": row.get("practice_name")}]
    name = None
    if row.get("family_name") or row.get("given_name"):
        given = [row["given_name"]] if row.get("given_name") else None
        name = [{"use": "official", "family": row.get("family_name"), "given": given}]
    district = row.get("postcode_district")
    # Other sources' records of the same person (record linkage): FHIR's "seealso" link, "another
    # patient resource that is known to contain data about the same person".
    linked = row.get("linked_ids") or []
    links = [{"other": reference("Patient", other), "type": "seealso"} for other in linked]
    return compact(
        {
            "resourceType": "Patient",
            "id": row["patient_id"],
            "meta": meta(bool(row.get("synthetic"))),
            "extension": extensions,
            "identifier": identifier,
            "name": name,
            "gender": GENDERS.get(_lower(row.get("sex"))),
            "birthDate": iso(row.get("birth_date")),
            "deceasedDateTime": iso(row.get("death_date")),
            "address": [{"use": "home", "postalCode": district}] if district else None,
            "generalPractitioner": practice,
            "link": links,
        }
    )


def condition(row: Row) -> Resource:
    status = _lower(row.get("clinical_status"))
    category = row.get("category")
    return compact(
        {
            "resourceType": "Condition",
            "id": row["condition_id"],
            "meta": meta(bool(row.get("synthetic"))),
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]}
            if status in CLINICAL_STATUSES
            else None,
            "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": category}]}]
            if category
            else None,
            "code": coded(row),
            "subject": reference("Patient", row["patient_id"]),
            "encounter": reference("Encounter", row.get("encounter_id")),
            "onsetDateTime": iso(row.get("onset_date")),
            "abatementDateTime": iso(row.get("abatement_date")),
            "recordedDate": iso(row.get("recorded_date")),
        }
    )


def observation(row: Row) -> Resource:
    value: Row = {}
    if row.get("value_number") is not None:
        value["valueQuantity"] = {"value": row["value_number"], "unit": row.get("value_unit")}
    elif row.get("value_code") is not None or row.get("value_display"):
        value["valueCodeableConcept"] = coded(row, "value_")
    elif row.get("value_text") is not None:
        value["valueString"] = row["value_text"]
    return compact(
        {
            "resourceType": "Observation",
            "id": row["observation_id"],
            "meta": meta(bool(row.get("synthetic"))),
            "status": "final",
            "code": coded(row),
            "subject": reference("Patient", row["patient_id"]),
            "encounter": reference("Encounter", row.get("encounter_id")),
            "effectiveDateTime": iso(row.get("effective_date")),
            **value,
        }
    )


def medication_statement(row: Row) -> Resource:
    status = _lower(row.get("status"))
    return compact(
        {
            "resourceType": "MedicationStatement",
            "id": row["medication_id"],
            "meta": meta(bool(row.get("synthetic"))),
            "status": status if status in MEDICATION_STATEMENT_STATUSES else "unknown",
            "medicationCodeableConcept": coded(row),
            "subject": reference("Patient", row["patient_id"]),
            "context": reference("Encounter", row.get("encounter_id")),
            "effectivePeriod": {"start": iso(row.get("start_date")), "end": iso(row.get("end_date"))},
        }
    )


def medication_request(row: Row) -> Resource:
    status = _lower(row.get("status"))
    validity = {"end": iso(row.get("end_date"))} if row.get("end_date") else None
    return compact(
        {
            "resourceType": "MedicationRequest",
            "id": row["medication_id"],
            "meta": meta(bool(row.get("synthetic"))),
            "status": status if status in MEDICATION_REQUEST_STATUSES else "unknown",
            "intent": "order",
            "medicationCodeableConcept": coded(row),
            "subject": reference("Patient", row["patient_id"]),
            "encounter": reference("Encounter", row.get("encounter_id")),
            "authoredOn": iso(row.get("start_date")),
            "dispenseRequest": {"validityPeriod": validity} if validity else None,
        }
    )


def medication(row: Row) -> Resource:
    """A `medication` row is a statement of use or a prescription (its `kind` says which)."""
    return medication_request(row) if row.get("kind") == "request" else medication_statement(row)


def encounter(row: Row) -> Resource:
    setting = row.get("setting")
    method = row.get("admission_method")
    priority = None
    if method:
        codings = [{"system": ADMISSION_METHOD_SYSTEM, "code": method}]
        if method in ADMISSION_PRIORITY:
            codings.append({"system": ACT_PRIORITY, "code": ADMISSION_PRIORITY[method]})
        priority = {"coding": codings}
    contained, diagnoses = [], []
    for number, diagnosis in enumerate(row.get("diagnoses") or [], start=1):
        local_id = f"diagnosis-{number}"
        contained.append(
            {
                "resourceType": "Condition",
                "id": local_id,
                "code": coded(diagnosis),
                "subject": reference("Patient", row["patient_id"]),
            }
        )
        rank = diagnosis.get("rank")
        diagnoses.append(
            {"condition": {"reference": f"#{local_id}"}, "rank": rank if rank and rank > 0 else None}
        )
    class_code, class_display = SETTING_CLASS.get(setting or "", SETTING_CLASS["gp"])
    # The provider's code as given (a trust or practice code); its issuing system is not recorded.
    provider = (
        {"type": "Organization", "identifier": {"value": row["provider_code"]}}
        if row.get("provider_code")
        else None
    )
    return compact(
        {
            "resourceType": "Encounter",
            "id": row["encounter_id"],
            "meta": meta(bool(row.get("synthetic"))),
            "contained": contained,
            "status": "finished" if row.get("end_date") else "in-progress",
            "class": {"system": ACT_CODE, "code": class_code, "display": class_display},
            "type": [coded(row, "type_")],
            "serviceType": {"coding": [{"system": CARE_SETTING_SYSTEM, "code": setting}]}
            if setting
            else None,
            "priority": priority,
            "subject": reference("Patient", row["patient_id"]),
            "period": {"start": iso(row.get("start_date")), "end": iso(row.get("end_date"))},
            "diagnosis": diagnoses,
            "serviceProvider": provider,
        }
    )


def procedure(row: Row) -> Resource:
    return compact(
        {
            "resourceType": "Procedure",
            "id": row["procedure_id"],
            "meta": meta(bool(row.get("synthetic"))),
            "status": "completed",
            "code": coded(row),
            "subject": reference("Patient", row["patient_id"]),
            "encounter": reference("Encounter", row.get("encounter_id")),
            "performedDateTime": iso(row.get("performed_date")),
        }
    )


# Warehouse table → its resource builder (the Bulk export writes these, in this order).
BY_TABLE: dict[str, Callable[[Row], Resource]] = {
    "patient": patient,
    "condition": condition,
    "observation": observation,
    "medication": medication,
    "encounter": encounter,
    "procedure": procedure,
}

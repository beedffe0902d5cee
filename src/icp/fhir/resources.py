"""Map warehouse rows, the patient index, choices and audit events to FHIR R4 resources (as dicts).

The output is plain JSON-ready dicts, checked in the tests by parsing every one with a strict R4
client model library. Codes follow the R4 value sets: clinical status, v3 ActCode encounter class,
v3 ActReason purpose of use, consent scope and the DICOM audit event types.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from icp.audit.models import AuditEvent
from icp.patients.models import PatientIndex
from icp.records.schema import CODE_SYSTEMS
from icp.sharing.models import PersonChoice
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, Purpose

ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
DATA_CATEGORY = "urn:icp:data-category"
# Synthetic data carries the v3 ActReason "HTEST" (test health data) tag wherever it is served.
SYNTHETIC_TAG = {"system": ACT_REASON, "code": "HTEST", "display": "test health data"}

PURPOSE_OF_USE: dict[str, tuple[str, str]] = {
    Purpose.DIRECT_CARE: ("TREAT", "treatment"),
    Purpose.CARE_COORDINATION: ("CAREMGT", "care management"),
    Purpose.RISK_STRATIFICATION: ("POPHLTH", "population health"),
    Purpose.PLANNING: ("HOPERAT", "healthcare operations"),
    Purpose.EMERGENCY: ("ETREAT", "emergency treatment"),
}
PURPOSE_FROM_CODE = {code: purpose for purpose, (code, _display) in PURPOSE_OF_USE.items()}

_GENDER = {"male": "male", "m": "male", "female": "female", "f": "female", "other": "other"}
_CLINICAL_STATUS = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
_MEDICATION_STATUS = {
    "active",
    "completed",
    "entered-in-error",
    "intended",
    "stopped",
    "on-hold",
    "unknown",
    "not-taken",
}
_ENCOUNTER_CLASS = {
    "inpatient": ("IMP", "inpatient encounter"),
    "ae": ("EMER", "emergency"),
    "community": ("HH", "home health"),
}


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def _meta(synthetic: bool) -> dict[str, Any]:
    return {"tag": [SYNTHETIC_TAG]} if synthetic else {}


def _drop_empty(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


def coding(system: str | None, code: str | None, display: str | None) -> dict[str, Any]:
    uri = CODE_SYSTEMS.get(system or "", system or None)
    return _drop_empty({"system": uri, "code": code, "display": display})


def concept(system: str | None, code: str | None, display: str | None) -> dict[str, Any]:
    codings = [coding(system, code, display)] if code else []
    return _drop_empty({"coding": codings, "text": display})


def purpose_concept(purpose: str) -> dict[str, Any]:
    code, display = PURPOSE_OF_USE.get(purpose, ("TREAT", "treatment"))
    return {"coding": [{"system": ACT_REASON, "code": code, "display": display}]}


def subject(patient_id: str) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def patient(row: PatientIndex) -> dict[str, Any]:
    practice = row.practice
    return _drop_empty(
        {
            "resourceType": "Patient",
            "id": row.patient_id,
            "meta": _meta(row.synthetic),
            "identifier": [{"system": row.national_id_system, "value": row.national_id}]
            if row.national_id
            else [],
            "name": [
                _drop_empty({"family": row.family_name, "given": [row.given_name] if row.given_name else []})
            ],
            "gender": _GENDER.get((row.sex or "").lower(), "unknown"),
            "birthDate": _iso(row.birth_date),
            "deceasedDateTime": _iso(row.death_date),
            "generalPractitioner": (
                [{"identifier": {"system": ODS, "value": practice.code}, "display": practice.name}]
                if practice
                else []
            ),
        }
    )


def condition(row: dict[str, Any], patient_id: str) -> dict[str, Any]:
    status = (row.get("clinical_status") or "").lower()
    return _drop_empty(
        {
            "resourceType": "Condition",
            "id": row["condition_id"],
            "meta": _meta(bool(row.get("synthetic"))),
            "clinicalStatus": (
                {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": status}
                    ]
                }
                if status in _CLINICAL_STATUS
                else None
            ),
            "code": concept(row.get("code_system"), row.get("code"), row.get("display")),
            "subject": subject(patient_id),
            "onsetDateTime": _iso(row.get("onset_date")),
            "abatementDateTime": _iso(row.get("abatement_date")),
        }
    )


def observation(row: dict[str, Any], patient_id: str) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if row.get("value_number") is not None:
        value["valueQuantity"] = _drop_empty({"value": row["value_number"], "unit": row.get("value_unit")})
    elif row.get("value_display"):
        value["valueCodeableConcept"] = {"text": row["value_display"]}
    elif row.get("value_text"):
        value["valueString"] = row["value_text"]
    return _drop_empty(
        {
            "resourceType": "Observation",
            "id": row["observation_id"],
            "meta": _meta(bool(row.get("synthetic"))),
            "status": "final",
            "code": concept(row.get("code_system"), row.get("code"), row.get("display")),
            "subject": subject(patient_id),
            "effectiveDateTime": _iso(row.get("effective_date")),
            **value,
        }
    )


def medication_statement(row: dict[str, Any], patient_id: str) -> dict[str, Any]:
    status = (row.get("status") or "").lower()
    return _drop_empty(
        {
            "resourceType": "MedicationStatement",
            "id": row["medication_id"],
            "meta": _meta(bool(row.get("synthetic"))),
            "status": status if status in _MEDICATION_STATUS else "unknown",
            "medicationCodeableConcept": concept(row.get("code_system"), row.get("code"), row.get("display")),
            "subject": subject(patient_id),
            "effectivePeriod": _drop_empty(
                {"start": _iso(row.get("start_date")), "end": _iso(row.get("end_date"))}
            ),
        }
    )


def encounter(row: dict[str, Any], patient_id: str) -> dict[str, Any]:
    code, display = _ENCOUNTER_CLASS.get(row.get("setting") or "", ("AMB", "ambulatory"))
    diagnoses = [
        _drop_empty(
            {
                "condition": {"display": " ".join(p for p in (d.get("code"), d.get("display")) if p)},
                "rank": d.get("rank") if d.get("rank") and d["rank"] > 0 else None,
            }
        )
        for d in row.get("diagnoses") or []
    ]
    return _drop_empty(
        {
            "resourceType": "Encounter",
            "id": row["encounter_id"],
            "meta": _meta(bool(row.get("synthetic"))),
            "status": "finished" if row.get("end_date") else "in-progress",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": code,
                "display": display,
            },
            "type": [concept(row.get("type_code_system"), row.get("type_code"), row.get("type_display"))]
            if row.get("type_code") or row.get("type_display")
            else [],
            "subject": subject(patient_id),
            "period": _drop_empty({"start": _iso(row.get("start_date")), "end": _iso(row.get("end_date"))}),
            "diagnosis": diagnoses,
            "serviceProvider": {"identifier": {"system": ODS, "value": row["provider_code"]}}
            if row.get("provider_code")
            else None,
        }
    )


_CONSENT = {
    ChoiceKind.DIRECT_CARE_CONSENT: (
        "patient-privacy",
        "Privacy Consent",
        [Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION],
    ),
    ChoiceKind.PLANNING_OPT_OUT: ("research", "Research", [Purpose.PLANNING, Purpose.RISK_STRATIFICATION]),
    ChoiceKind.SENSITIVE_WITHHELD: (
        "patient-privacy",
        "Privacy Consent",
        [Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION],
    ),
}
_DENY = {ChoiceValue.WITHDRAWN, ChoiceValue.OPTED_OUT, ChoiceValue.WITHHELD}


def consent(choice: PersonChoice, *, in_force: bool) -> dict[str, Any]:
    scope_code, scope_display, purposes = _CONSENT[ChoiceKind(choice.kind)]
    deny = choice.value in _DENY
    provision = _drop_empty(
        {
            "type": "deny" if deny else "permit",
            "purpose": [purpose_concept(p)["coding"][0] for p in purposes],
            "code": [{"coding": [{"system": DATA_CATEGORY, "code": c}]} for c in choice.categories or []],
        }
    )
    organisation = getattr(choice.recorded_by, "organisation", None)
    return _drop_empty(
        {
            "resourceType": "Consent",
            "id": f"choice-{choice.pk}",
            "meta": _meta(choice.patient.synthetic),
            "status": "active" if in_force else "inactive",
            "scope": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                        "code": scope_code,
                        "display": scope_display,
                    }
                ]
            },
            "category": [
                {"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}
            ],
            "patient": subject(choice.patient.patient_id),
            "dateTime": _iso(choice.effective_date),
            "organization": [
                {"identifier": {"system": ODS, "value": organisation.code}, "display": organisation.name}
            ]
            if organisation
            else [],
            "policyRule": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "OPTOUT" if deny else "OPTIN",
                    }
                ],
                "text": f"{choice.get_kind_display()}: {choice.get_value_display()}",
            },
            "provision": provision,
        }
    )


_AUDIT_ACTION = {
    "create": "C",
    "record": "C",
    "start": "C",
    "sign": "U",
    "withdraw": "U",
    "review": "U",
    "add": "C",
}


def audit_event(event: AuditEvent) -> dict[str, Any]:
    verb = event.action.rsplit(".", 1)[-1]
    code = (
        _AUDIT_ACTION.get(verb, "R") if "read" not in event.action and "access" not in event.action else "R"
    )
    if "search" in event.action:
        code = "E"
    outcome = {"denied": "4", "failed": "8"}.get(event.outcome, "0")
    entity: list[dict[str, Any]] = []
    if event.patient_ref:
        entity.append(
            {
                "what": subject(event.patient_ref),
                "type": {
                    "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                    "code": "1",
                    "display": "Person",
                },
            }
        )
    entity.append(
        {
            "what": {"identifier": {"value": f"{event.target_type}/{event.target_id}"}}
            if event.target_id
            else {"display": event.action},
            "detail": [
                {"type": "hash", "valueString": event.hash},
                {"type": "prev_hash", "valueString": event.prev_hash},
                *(
                    [{"type": "category", "valueString": event.detail["category"]}]
                    if event.detail.get("category")
                    else []
                ),
            ],
        }
    )
    return _drop_empty(
        {
            "resourceType": "AuditEvent",
            "id": str(event.pk),
            "type": {
                "system": "http://dicom.nema.org/resources/ontology/DCM",
                "code": "110110",
                "display": "Patient Record",
            },
            "subtype": [{"system": "urn:icp:audit-action", "code": event.action}],
            "action": code,
            "recorded": event.occurred_at.isoformat(),
            "outcome": outcome,
            "outcomeDesc": f"{event.outcome}: {event.reason}" if event.reason else event.outcome,
            "purposeOfEvent": [purpose_concept(event.purpose)] if event.purpose else [],
            "agent": [
                _drop_empty(
                    {
                        "who": _drop_empty(
                            {
                                "identifier": {"value": event.actor_username}
                                if event.actor_username
                                else None,
                                "display": " ".join(
                                    p
                                    for p in (
                                        event.actor_username or "not logged in",
                                        event.actor_organisation,
                                    )
                                    if p
                                ),
                            }
                        ),
                        "role": [{"text": event.actor_role}] if event.actor_role else [],
                        "requestor": True,
                    }
                )
            ],
            "source": {"observer": {"display": "icp"}},
            "entity": entity,
        }
    )

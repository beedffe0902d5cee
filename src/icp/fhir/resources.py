"""FHIR R4 resources the REST API serves from the app database: Patient (from the patient index),
Consent (a person's choices) and AuditEvent, plus the purpose-of-use codes of the API.

Clinical resources from the warehouse are built by `icp.fhir.mapping`, the one mapping the Bulk
export uses too; the Patient here goes through it as well, from the index's row. The output is
plain JSON-ready dicts, checked in the tests by parsing every one with a strict R4 client model
library. Codes follow the R4 value sets: v3 ActReason purpose of use, consent scope and the DICOM
audit event types.
"""

from __future__ import annotations

from typing import Any

from icp.audit.models import AuditEvent
from icp.fhir import mapping
from icp.fhir.mapping import clean, compact, iso, meta, reference
from icp.patients.models import PatientIndex
from icp.records.ingest.shape import ODS_ORGANISATION_SYSTEM
from icp.sharing.models import PersonChoice
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, Purpose

ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
ODS = ODS_ORGANISATION_SYSTEM
DATA_CATEGORY = "urn:icp:data-category"

PURPOSE_OF_USE: dict[str, tuple[str, str]] = {
    Purpose.DIRECT_CARE: ("TREAT", "treatment"),
    Purpose.CARE_COORDINATION: ("CAREMGT", "care management"),
    Purpose.RISK_STRATIFICATION: ("POPHLTH", "population health"),
    Purpose.PLANNING: ("HOPERAT", "healthcare operations"),
    Purpose.EMERGENCY: ("ETREAT", "emergency treatment"),
}
PURPOSE_FROM_CODE = {code: purpose for purpose, (code, _display) in PURPOSE_OF_USE.items()}


def purpose_concept(purpose: str) -> dict[str, Any]:
    code, display = PURPOSE_OF_USE.get(purpose, ("TREAT", "treatment"))
    return {"coding": [{"system": ACT_REASON, "code": code, "display": display}]}


def patient(index: PatientIndex) -> dict[str, Any]:
    """The Patient of an index entry, through the same mapping as a warehouse `patient` row."""
    practice = index.practice
    row = {
        "patient_id": index.patient_id,
        "national_id": index.national_id or None,
        "national_id_system": index.national_id_system or None,
        "family_name": index.family_name or None,
        "given_name": index.given_name or None,
        "sex": index.sex or None,
        "birth_date": index.birth_date,
        "death_date": index.death_date,
        "registered": index.registered,
        "practice_code": practice.code if practice else None,
        "practice_name": practice.name if practice else None,
        "synthetic": index.synthetic,
        "linked_ids": [r.patient_id for r in index.linked_records() if r.pk != index.pk],
    }
    return mapping.patient(row)


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
    provision = clean(
        {
            "type": "deny" if deny else "permit",
            "purpose": [purpose_concept(p)["coding"][0] for p in purposes],
            "code": [{"coding": [{"system": DATA_CATEGORY, "code": c}]} for c in choice.categories or []],
        }
    )
    organisation = getattr(choice.recorded_by, "organisation", None)
    return compact(
        {
            "resourceType": "Consent",
            "id": choice.public_id,
            "meta": meta(choice.patient.synthetic),
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
            "patient": reference("Patient", choice.patient.patient_id),
            "dateTime": iso(choice.effective_date),
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


def audit_event(event: AuditEvent, *, show_user: bool, about: str = "") -> dict[str, Any]:
    """An audit event as a FHIR AuditEvent. The acting user's name is given only when `show_user`
    (the reader is the IG lead, as on the web log); otherwise the agent is their organisation and
    role. `about` names the person whose log is being read, for an event that listed them among
    several people (it then references them, not the others)."""
    verb = event.action.rsplit(".", 1)[-1]
    code = (
        _AUDIT_ACTION.get(verb, "R") if "read" not in event.action and "access" not in event.action else "R"
    )
    if "search" in event.action:
        code = "E"
    outcome = {"denied": "4", "failed": "8"}.get(event.outcome, "0")
    entity: list[dict[str, Any]] = []
    person = event.patient_ref or about
    if person:
        entity.append(
            {
                "what": reference("Patient", person),
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
    return compact(
        {
            "resourceType": "AuditEvent",
            # The event's keyed hash: unique, fixed once written (a new key signs only later events),
            # and not a sequence, so it says nothing of how many events there are.
            "id": event.hash,
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
                clean(
                    {
                        "who": clean(
                            {
                                "identifier": {"value": event.actor_username}
                                if event.actor_username and show_user
                                else None,
                                "display": " ".join(
                                    p
                                    for p in (
                                        (event.actor_username or "not logged in") if show_user else "",
                                        event.actor_organisation,
                                    )
                                    if p
                                )
                                or "a user",
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

"""The CapabilityStatement served at /fhir/metadata: what this FHIR R4 server reads and searches."""

from __future__ import annotations

from typing import Any

import icp

_SEARCH: dict[str, list[tuple[str, str, str]]] = {
    "Patient": [
        ("_id", "token", "The opaque patient id"),
        ("identifier", "token", "H&C or NHS number (system|value)"),
        ("name", "string", "Given or family name"),
        ("family", "string", "Family name"),
        ("given", "string", "Given name"),
        ("birthdate", "date", "Date of birth (exact)"),
    ],
    "Condition": [("patient", "reference", "The person (required)")],
    "Observation": [
        ("patient", "reference", "The person (required)"),
        ("_count", "number", "At most this many"),
    ],
    "MedicationStatement": [("patient", "reference", "The person (required)")],
    "Encounter": [("patient", "reference", "The person (required)")],
    "Consent": [("patient", "reference", "The person (required)")],
    "ServiceRequest": [
        ("patient", "reference", "The person referred"),
        ("status", "token", "The referral Task's status"),
        ("owner", "reference", "The receiving organisation (Organization/<code>)"),
        ("requester", "reference", "The referring organisation (Organization/<code>)"),
    ],
    "CarePlan": [
        ("patient", "reference", "The person (required)"),
        ("status", "token", "active, completed, revoked, entered-in-error"),
    ],
    "CareTeam": [("patient", "reference", "The person (required): one care team per person")],
    "Goal": [
        ("patient", "reference", "The person (required)"),
        ("lifecycle-status", "token", "active, completed, cancelled"),
    ],
    "Task": [
        ("status", "token", "Task status (draft, requested, accepted, ...); comma-separated for any of"),
        ("owner", "reference", "The receiving organisation (Organization/<code>)"),
        ("requester", "reference", "The referring organisation (Organization/<code>)"),
        ("patient", "reference", "The person (optional: without it, your organisation's Tasks)"),
        ("_count", "number", "At most this many"),
    ],
    "AuditEvent": [
        ("patient", "reference", "Events about this person"),
        ("date", "date", "ge/le/gt/lt a day"),
        ("outcome", "token", "0 allowed, 4 denied"),
    ],
}

# A referral Task is moved by PUT or JSON Patch (the table of moves in docs/care-pathways.md).
_WRITES: dict[str, list[str]] = {"Task": ["update", "patch"]}


def capability_statement(base_url: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-23",
        "publisher": "icp",
        "kind": "instance",
        "software": {"name": "icp", "version": icp.__version__},
        "implementation": {
            "description": "icp shared care record (FHIR R4 read and search)",
            "url": base_url,
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Every read is decided by icp's access policy (agreements, legitimate relationship, the "
                    "person's choices) and audited. Send the purpose of use as the X-Purpose-Of-Use header "
                    "(TREAT, CAREMGT, ETREAT, POPHLTH, HOPERAT); direct care when absent."
                ),
                "security": {
                    "cors": False,
                    "description": (
                        "API token as 'Authorization: Bearer <key>' (icp createuser --token), or a session."
                    ),
                },
                "resource": [
                    {
                        "type": resource_type,
                        "interaction": [{"code": "read"}, {"code": "search-type"}]
                        + [{"code": code} for code in _WRITES.get(resource_type, [])],
                        **(
                            {"versioning": "versioned", "conditionalUpdate": False}
                            if resource_type in _WRITES
                            else {}
                        ),
                        "searchParam": [
                            {"name": name, "type": kind, "documentation": doc} for name, kind, doc in params
                        ],
                    }
                    for resource_type, params in _SEARCH.items()
                ],
            }
        ],
    }

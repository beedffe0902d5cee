"""A person's subject-access export: their record and their access log, as one JSON file.

Under UK GDPR Article 15 a person may ask for a copy of the data held about them and to whom it was
disclosed. In icp the IG lead of the person's ICP answers such a request (the access decision's
`decide_subject_access`), producing one file with:

- the person as the patient index holds them (identity, registered practice, risk tier);
- every section of their shared care record held in the warehouse (all rows, not the record page's
  recent ones);
- the choices they have made (consent, opt-outs, records withheld) with their history;
- the legitimate relationships organisations and teams have held with them;
- their access log: every event about them, in words, by organisation and role (staff usernames are
  left out, as the person's practice sees them; the IG lead has them in the audit trail).

The export is recorded in the audit chain (allowed or refused) with what it contained. What this
file is not: a check for exemptions (information likely to cause serious harm, third parties named
in the record). The IG lead reviews the file before releasing it; docs/security.md says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.audit.models import Outcome
from icp.patients.models import CareRelationship, PatientIndex
from icp.patients.risk_lookup import risk_of
from icp.records.warehouse import Warehouse
from icp.sharing.access_log import entries
from icp.sharing.models import PersonChoice
from icp.sharing.policy import SUBJECT_ACCESS, Decision, decide_subject_access
from icp.sharing.record import SECTIONS, read_section
from icp.sharing.vocabulary import DataCategory

FORMAT_VERSION = 1
# Every row of a section: a person's record is thousands of rows at most, never the population.
ALL_ROWS = 1_000_000
# The whole access log, not the page's latest 500.
WHOLE_LOG = 1_000_000


@dataclass(frozen=True)
class SubjectAccessExport:
    patient_id: str
    content: dict[str, Any]

    def as_json(self) -> bytes:
        return json.dumps(self.content, indent=2, ensure_ascii=False, default=str).encode("utf-8")


def _person(patient: PatientIndex) -> dict[str, Any]:
    risk = risk_of(patient)
    return {
        "patient_id": patient.patient_id,
        "national_id": patient.national_id,
        "national_id_system": patient.national_id_system,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "sex": patient.sex,
        "birth_date": patient.birth_date,
        "death_date": patient.death_date,
        "registered_practice": patient.practice.name if patient.practice else None,
        "icp": patient.icp.name,
        "deprivation_quintile": patient.deprivation_quintile,
        "latest_risk": (
            {"tier": risk.get_tier_display(), "as_of": risk.run.index_date, "reasons": risk.reasons}
            if risk
            else None
        ),
        "synthetic": patient.synthetic,
    }


def _choices(patient: PatientIndex) -> list[dict[str, Any]]:
    rows = PersonChoice.objects.filter(patient=patient).select_related("recorded_by__organisation")
    return [
        {
            "choice": choice.get_kind_display(),
            "value": choice.get_value_display(),
            "categories": choice.categories,
            "effective_date": choice.effective_date,
            "recorded_at": choice.recorded_at,
            "recorded_by_organisation": getattr(choice.recorded_by.organisation, "name", ""),
            "note": choice.note,
        }
        for choice in rows.order_by("effective_date", "id")
    ]


def _relationships(patient: PatientIndex) -> list[dict[str, Any]]:
    rows = CareRelationship.objects.filter(patient=patient).select_related("organisation")
    return [
        {
            "kind": relationship.get_kind_display(),
            "organisation": relationship.organisation.name if relationship.organisation else "",
            "label": relationship.label,
            "starts": relationship.starts,
            "ends": relationship.ends,
        }
        for relationship in rows.order_by("starts", "id")
    ]


def check(*, patient_id: str, by: Any) -> tuple[PatientIndex, dict[str, Decision]]:
    """The person and the access decision, when `by` may produce their export; otherwise raises the
    audited PermissionDenied (an unknown id is refused like any other, revealing nothing). The page,
    the export job's start and the job itself each ask this, so a refusal reads the same everywhere."""
    found, decisions = decide_subject_access(by, patient_id)
    refused = next((d for d in decisions.values() if not d.allowed), None)
    if found is None or refused is not None:
        reason = refused.reason if refused is not None else "No record with that id is available to you."
        raise deny(
            action=EventType.SUBJECT_ACCESS_EXPORT,
            by=by,
            target_type="patient",
            target_id=patient_id[:64],
            patient_ref=patient_id[:64],
            purpose=SUBJECT_ACCESS,
            reason=reason,
            detail={"code": str(refused.code) if refused else "unknown-patient"},
        )
    return found, decisions


def export(*, patient_id: str, by: Any, warehouse: Warehouse | None = None) -> SubjectAccessExport:
    """The person's subject-access export, for the IG lead of their ICP. Audited, allowed or refused:
    a refusal raises PermissionDenied (and an unknown id is refused like any other, revealing nothing)."""
    found, decisions = check(patient_id=patient_id, by=by)
    warehouse = warehouse or Warehouse()
    record_sections: dict[str, list[dict[str, Any]]] = {}
    for category in DataCategory.values:
        if category in SECTIONS:
            rows = read_section(decisions[category], found, category, warehouse=warehouse, limit=ALL_ROWS)
            record_sections[str(DataCategory(category).label)] = rows
    log = [entry.as_dict() for entry in entries(found.patient_id, show_usernames=False, limit=WHOLE_LOG)]
    content = {
        "export": {
            "what": "Subject-access export: the person's record held in icp and who has accessed it",
            "format_version": FORMAT_VERSION,
            "produced_at": timezone.now().isoformat(timespec="seconds"),
            "produced_by": {
                "role": by.get_role_display(),
                "organisation": getattr(by.organisation, "name", ""),
            },
            "review_before_release": (
                "Check for information that is exempt from disclosure (likely to cause serious harm, "
                "about third parties) before sending this file to the person."
            ),
        },
        "person": _person(found),
        "record": record_sections,
        "choices": _choices(found),
        "relationships": _relationships(found),
        "access_log": log,
    }
    with transaction.atomic():
        record(
            action=EventType.SUBJECT_ACCESS_EXPORT,
            actor=by,
            target_type="patient",
            target_id=found.patient_id,
            patient_ref=found.patient_id,
            purpose=SUBJECT_ACCESS,
            outcome=Outcome.ALLOWED,
            reason=decisions[DataCategory.DEMOGRAPHICS].reason,
            detail={
                "icp": found.icp.code,
                "record_rows": {name: len(rows) for name, rows in record_sections.items()},
                "choices": len(content["choices"]),
                "access_log_events": len(log),
            },
        )
    return SubjectAccessExport(patient_id=found.patient_id, content=content)

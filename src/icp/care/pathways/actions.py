"""Enrolling people in pathways and taking them off, one function per verb (acting user `by=`).

- `enrol`: one person, with a reason; the entry criteria met (from the person's latest risk result)
  are kept with the enrolment, and a person who does not meet them can still be enrolled on
  clinical judgement (the reason says why).
- `enrol_selection`: several people from a worklist at once; each is decided on its own, so one
  refusal never loses the others.
- `leave_pathway`: end an enrolment with a reason.
- `review_enrolment`: record a review and set the next one from the pathway's interval.

Enrolment is clinical work: the acting user is a clinician whom the access decision allows to see
the person's record for direct care. Refusals are audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care import pathways
from icp.care.access import refuse
from icp.care.pathways.models import Enrolment, LeaveReason
from icp.partnership.models import User
from icp.partnership.roles import CLINICAL_ROLES
from icp.patients.actions import close_relationships_from, open_relationship
from icp.patients.models import PatientIndex, RelationshipKind
from icp.patients.risk_lookup import risk_of
from icp.sharing.policy import decide
from icp.sharing.vocabulary import DataCategory, Purpose


def facts_for(patient: PatientIndex) -> dict[str, Any]:
    """What the entry criteria read: the person's latest risk result (empty when there is none)."""
    result = risk_of(patient)
    if result is None:
        return {}
    return {
        "age": result.age,
        "registers": list(result.detail.registers),
        "efi_category": result.efi_category,
        "hfrs_category": result.hfrs_category,
        "tier": result.tier,
        "housebound": result.detail.housebound,
        "carer": result.detail.carer,
        "cared_for": result.detail.cared_for,
        "lives_alone": bool(result.detail.lives_alone),
        "falls_12m": result.detail.falls_12m,
        "polypharmacy_review": result.detail.polypharmacy_review,
    }


def _audit(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "target_type": "care.enrolment",
        "target_id": enrolment.public_id,
        "patient_ref": enrolment.patient.patient_id,
    }


def _require_clinician(by: Any, patient: PatientIndex, action: EventType) -> None:
    if getattr(by, "role", None) not in CLINICAL_ROLES:
        raise refuse(
            by,
            action,
            "Only clinicians enrol people in pathways.",
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
        )
    decision = decide(by, patient, Purpose.DIRECT_CARE, DataCategory.CONDITIONS, action=EventType.CARE_ACCESS)
    if not decision.allowed or decision.break_glass:
        raise PermissionDenied(decision.reason)


def enrol(
    *, patient: PatientIndex, pathway_id: str, reason: str, by: User, started_on: date | None = None
) -> Enrolment:
    """Enrol one person in a pathway, with the reason."""
    try:
        pathway = pathways.get(pathway_id)
    except KeyError as error:
        raise ValidationError({"pathway": str(error.args[0])}) from None
    _require_clinician(by, patient, EventType.ENROLMENT_CREATE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this person is enrolled."})
    if patient.death_date is not None:
        raise ValidationError({"patient": "This person's death has been recorded."})
    if by.organisation_id is None:
        raise PermissionDenied("Your account is not linked to an organisation.")
    assert by.organisation is not None
    started_on = started_on or timezone.localdate()
    met = pathway.entry_reasons(facts_for(patient)) or []
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                patient=patient,
                pathway=pathway.id,
                pathway_version=pathway.version,
                organisation_id=by.organisation_id,
                enrolled_by=by,
                reason=reason,
                entry_reasons=met,
                started_on=started_on,
                next_review_on=started_on + timedelta(days=pathway.review_interval_days),
                synthetic=patient.synthetic,
            )
            open_relationship(
                patient=patient,
                kind=RelationshipKind.PATHWAY_ENROLMENT,
                source=enrolment,
                organisation=by.organisation,
                label=pathway.title,
                starts=started_on,
                by=by,
            )
            record(
                action=EventType.ENROLMENT_CREATE,
                actor=by,
                **_audit(enrolment),
                detail={"pathway": pathway.id, "version": pathway.version, "criteria_met": bool(met)},
            )
    except IntegrityError:
        raise ValidationError({"pathway": f"This person is already enrolled in {pathway.title}."}) from None
    return enrolment


@dataclass
class SelectionResult:
    enrolled: list[Enrolment] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (patient_id, why)


def enrol_selection(
    *, patients: Iterable[PatientIndex], pathway_id: str, reason: str, by: User
) -> SelectionResult:
    """Enrol several people from a worklist; each is decided alone, so one refusal loses no one else."""
    result = SelectionResult()
    for patient in patients:
        try:
            result.enrolled.append(enrol(patient=patient, pathway_id=pathway_id, reason=reason, by=by))
        except (PermissionDenied, ValidationError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            result.refused.append((patient.patient_id, " ".join(messages)))
    return result


def leave_pathway(
    *, enrolment: Enrolment, reason: str, by: User, note: str = "", ended_on: date | None = None
) -> Enrolment:
    """End an enrolment with one of the leave reasons (and a note)."""
    if reason not in LeaveReason.values:
        raise ValidationError({"reason": f"Choose one of: {', '.join(LeaveReason.values)}."})
    if enrolment.ended_on is not None:
        raise ValidationError({"enrolment": "This enrolment has already ended."})
    if reason != LeaveReason.DIED:  # a recorded death ends enrolments on the record's authority
        _require_clinician(by, enrolment.patient, EventType.ENROLMENT_END)
    with transaction.atomic():
        enrolment.ended_on = ended_on or timezone.localdate()
        enrolment.end_reason = reason
        enrolment.end_note = note.strip()
        enrolment.ended_by = by
        enrolment.save(update_fields=["ended_on", "end_reason", "end_note", "ended_by"])
        close_relationships_from(source=enrolment, by=by, ends=enrolment.ended_on)
        record(action=EventType.ENROLMENT_END, actor=by, **_audit(enrolment), detail={"reason": reason})
    return enrolment


def review_enrolment(*, enrolment: Enrolment, by: User, reviewed_on: date | None = None) -> Enrolment:
    """Record that the enrolment was reviewed; the next review is one pathway interval later."""
    _require_clinician(by, enrolment.patient, EventType.ENROLMENT_REVIEW)
    if enrolment.ended_on is not None:
        raise ValidationError({"enrolment": "This enrolment has ended."})
    reviewed_on = reviewed_on or timezone.localdate()
    interval = pathways.get(enrolment.pathway).review_interval_days
    with transaction.atomic():
        enrolment.last_reviewed_on = reviewed_on
        enrolment.next_review_on = reviewed_on + timedelta(days=interval)
        enrolment.save(update_fields=["last_reviewed_on", "next_review_on"])
        record(
            action=EventType.ENROLMENT_REVIEW,
            actor=by,
            **_audit(enrolment),
            detail={"next_review_on": enrolment.next_review_on.isoformat()},
        )
    return enrolment

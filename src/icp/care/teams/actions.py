"""Care team changes beyond joining and leaving (which are `care.actions`): the named care
coordinator, and carers linked as people. Keyword-only, acting user `by=`, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import require_care_access
from icp.care.models import CareTeamMember
from icp.care.teams.models import Carer
from icp.partnership.models import User
from icp.patients.models import PatientIndex
from icp.sharing.vocabulary import DataCategory


def _audit(patient: PatientIndex) -> dict[str, Any]:
    return {"target_type": "patient", "target_id": patient.patient_id, "patient_ref": patient.patient_id}


def set_care_coordinator(*, member: CareTeamMember, by: User) -> CareTeamMember:
    """Name a current care team member as the person's care coordinator (replacing any other)."""
    patient = member.patient
    require_care_access(by, patient, EventType.CARE_TEAM_COORDINATOR, DataCategory.CARE_PLANS)
    if member.end_date is not None and member.end_date < timezone.localdate():
        raise ValidationError({"member": "This member has left the care team."})
    with transaction.atomic():
        CareTeamMember.objects.filter(patient=patient, coordinator=True).exclude(pk=member.pk).update(
            coordinator=False
        )
        member.coordinator = True
        member.save(update_fields=["coordinator"])
        record(
            action=EventType.CARE_TEAM_COORDINATOR,
            actor=by,
            **_audit(patient),
            detail={"member": member.pk, "organisation": member.organisation.code},
        )
    return member


def add_carer(
    *,
    patient: PatientIndex,
    relationship: str,
    by: User,
    carer_patient: PatientIndex | None = None,
    name: str = "",
    contact: str = "",
    unpaid: bool = True,
    start_date: date | None = None,
) -> Carer:
    """Link a carer to the person they care for: someone in the index, or named."""
    require_care_access(by, patient, EventType.CARER_ADD, DataCategory.CARE_PLANS)
    errors = {}
    if not relationship.strip():
        errors["relationship"] = "Say how the carer is related (daughter, neighbour, ...)."
    if carer_patient is None and not name.strip():
        errors["name"] = "Name the carer, or choose them from the patient index."
    if carer_patient is not None and carer_patient.pk == patient.pk:
        errors["carer_patient"] = "A person is not their own carer."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        carer = Carer.objects.create(
            patient=patient,
            carer_patient=carer_patient,
            name=name.strip(),
            relationship=relationship.strip(),
            contact=contact.strip(),
            unpaid=unpaid,
            start_date=start_date or timezone.localdate(),
            recorded_by=by,
        )
        record(
            action=EventType.CARER_ADD,
            actor=by,
            **_audit(patient),
            detail={"carer": carer.public_id, "in_index": carer_patient is not None, "unpaid": unpaid},
        )
    return carer


def end_carer(*, carer: Carer, by: User, end_date: date | None = None) -> Carer:
    require_care_access(by, carer.patient, EventType.CARER_END, DataCategory.CARE_PLANS)
    with transaction.atomic():
        carer.end_date = end_date or timezone.localdate()
        carer.save(update_fields=["end_date"])
        record(
            action=EventType.CARER_END, actor=by, **_audit(carer.patient), detail={"carer": carer.public_id}
        )
    return carer

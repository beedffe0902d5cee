"""Recording a person's death, and what follows from it in care (one action).

A death recorded by the person's registered practice (or synced from the records) closes every
care relationship the person has, cancels their open referrals with the reason "The person has
died.", ends their pathway enrolments and active care plans, and takes them off MDT lists; the
worklists and emergency-response lists leave out anyone whose death is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import refuse
from icp.care.models import MdtListEntry
from icp.care.pathways.models import Enrolment, LeaveReason
from icp.care.plans.models import CarePlan, PlanStatus
from icp.care.referrals.actions import cancel_referrals_for_death
from icp.care.referrals.states import FINAL
from icp.partnership.models import User
from icp.partnership.roles import CLINICAL_ROLES
from icp.patients.actions import close_relationship
from icp.patients.models import CareRelationship, PatientIndex


@dataclass(frozen=True)
class OpenCare:
    """What recording a person's death would close: shown before it is recorded, and on review."""

    relationships: int
    referrals: int
    enrolments: int
    care_plans: int
    mdt_entries: int

    @property
    def any(self) -> bool:
        return any((self.relationships, self.referrals, self.enrolments, self.care_plans, self.mdt_entries))


def open_care(patient: PatientIndex, on: date | None = None) -> OpenCare:
    """Counts of the person's care still open on `on` (default today)."""
    on = on or timezone.localdate()
    return OpenCare(
        relationships=CareRelationship.objects.filter(patient=patient).current(on).count(),
        referrals=patient.referrals.exclude(status__in=[s.value for s in FINAL]).count(),
        enrolments=Enrolment.objects.filter(patient=patient, ended_on__isnull=True).count(),
        care_plans=CarePlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).count(),
        mdt_entries=MdtListEntry.objects.filter(patient=patient, removed_on__isnull=True).count(),
    )


def may_record_death(user: User, patient: PatientIndex) -> bool:
    """A clinician of the person's registered practice records their death."""
    return bool(
        user.role in CLINICAL_ROLES
        and user.organisation_id is not None
        and user.organisation_id == patient.practice_id
    )


@dataclass(frozen=True)
class DeathRecorded:
    relationships_closed: int
    referrals_cancelled: int
    enrolments_ended: int
    care_plans_ended: int
    mdt_entries_removed: int


def record_death(*, patient: PatientIndex, died_on: date, by: User) -> DeathRecorded:
    """Record that a person died on `died_on`: a clinician of their registered practice does this."""
    if not may_record_death(by, patient):
        raise refuse(
            by,
            EventType.DEATH_RECORD,
            "A death is recorded by a clinician of the person's registered practice.",
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
        )
    today = timezone.localdate()
    if died_on > today:
        raise ValidationError({"died_on": "The date of death cannot be in the future."})
    if patient.birth_date is not None and died_on < patient.birth_date:
        raise ValidationError({"died_on": "The date of death is before the date of birth."})
    with transaction.atomic():
        patient.death_date = died_on
        patient.save(update_fields=["death_date"])
        referrals = cancel_referrals_for_death(patient=patient, by=by)
        enrolments = list(Enrolment.objects.filter(patient=patient, ended_on__isnull=True))
        for enrolment in enrolments:
            enrolment.ended_on, enrolment.end_reason, enrolment.ended_by = today, LeaveReason.DIED, by
            enrolment.save(update_fields=["ended_on", "end_reason", "ended_by"])
        plans = CarePlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).update(
            status=PlanStatus.COMPLETED, ended_on=died_on
        )
        entries = MdtListEntry.objects.filter(patient=patient, removed_on__isnull=True).update(
            removed_on=today
        )
        open_rows = CareRelationship.objects.filter(patient=patient).current(today)
        closed = [close_relationship(relationship=row, by=by, ends=today) for row in open_rows]
        record(
            action=EventType.DEATH_RECORD,
            actor=by,
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
            detail={
                "relationships_closed": len(closed),
                "referrals_cancelled": len(referrals),
                "enrolments_ended": len(enrolments),
                "care_plans_ended": plans,
                "mdt_entries_removed": entries,
            },
        )
    return DeathRecorded(len(closed), len(referrals), len(enrolments), plans, entries)

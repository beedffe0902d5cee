"""Every change to care relationships, one function per verb (keyword-only, acting user `by=`).

`CareRelationship` rows are written only here. The care workflows (care team, referrals, MDT
lists, pathway enrolment, emergency-response lists) call these from their own actions, inside
their own transaction, after checking through the access decision that the acting user may change
that person's care. What is checked here is what the patients floor can know by itself: the acting
user is logged in and works in the person's ICP, the kind is one that is stored (the registered
practice is derived from the patient index, never stored), and the parties make sense.
Each call records an audit event; a refusal is audited too.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.partnership.models import Organisation, User, home_icp
from icp.patients.models import STORED_KINDS, CareRelationship, PatientIndex


class Source(NamedTuple):
    """The record a relationship comes from, named by type ('app_label.model' or a feed's name) and id.

    Pass a saved model instance instead where the record is a row of the app database.
    """

    type: str
    id: str


def source_of(source: models.Model | Source) -> Source:
    if isinstance(source, Source):
        if not source.type or not source.id:
            raise ValidationError({"source": "Name the record that creates the relationship (type and id)."})
        return source
    if source.pk is None:
        raise ValidationError({"source": "Save the record that creates the relationship first."})
    return Source(source._meta.label_lower, str(source.pk))


def _refuse(by: Any, action: EventType, message: str, patient: PatientIndex) -> PermissionDenied:
    return deny(
        action=action,
        by=by,
        target_type="patient",
        target_id=patient.patient_id,
        patient_ref=patient.patient_id,
        reason=message,
    )


def _require_same_icp(by: Any, patient: PatientIndex, action: EventType) -> None:
    """Relationships are opened and closed by someone working in the person's ICP (or a superuser)."""
    if not getattr(by, "is_authenticated", False) or not getattr(by, "is_active", False):
        raise _refuse(by, action, "You are not logged in.", patient)
    if by.is_superuser:
        return
    home = home_icp(by)
    if home is None or home.pk != patient.icp_id:
        raise _refuse(by, action, "This person is not in the ICP your account works for.", patient)


def _detail(relationship: CareRelationship) -> dict[str, Any]:
    return {
        "kind": relationship.kind,
        "organisation": relationship.organisation.code if relationship.organisation else None,
        "user": relationship.user_id,
        "starts": relationship.starts.isoformat(),
        "ends": relationship.ends.isoformat() if relationship.ends else None,
        "source": f"{relationship.source_type}:{relationship.source_id}",
    }


def open_relationship(
    *,
    patient: PatientIndex,
    kind: str,
    source: models.Model | Source,
    by: User,
    organisation: Organisation | None = None,
    user: User | None = None,
    label: str = "",
    starts: date | None = None,
    ends: date | None = None,
) -> CareRelationship:
    """Record that `organisation` (or one `user`) has a legitimate relationship with `patient`.

    `source` is the record that makes it legitimate (a care-team entry, a referral, an MDT-list
    entry, ...): a saved model instance, or a `Source` naming a record held elsewhere. The
    relationship holds from `starts` (default today) up to but not including `ends` (default: open
    until closed).
    """
    action = EventType.CARE_RELATIONSHIP_OPEN
    _require_same_icp(by, patient, action)
    if kind not in STORED_KINDS:
        raise ValidationError(
            {
                "kind": f"Choose one of: {', '.join(STORED_KINDS)} "
                "(the registered practice is read from the index)."
            }
        )
    if organisation is None and user is None:
        raise ValidationError({"organisation": "Name the organisation or the user the relationship is with."})
    if user is not None and organisation is not None and user.organisation_id != organisation.pk:
        raise ValidationError({"user": "That user does not work for that organisation."})
    origin = source_of(source)
    starts = starts or timezone.localdate()
    if ends is not None and ends < starts:
        raise ValidationError({"ends": "A relationship cannot end before it starts."})
    with transaction.atomic():
        relationship = CareRelationship.objects.create(
            patient=patient,
            kind=kind,
            organisation=organisation,
            user=user,
            label=label[:200],
            starts=starts,
            ends=ends,
            source_type=origin.type[:100],
            source_id=origin.id[:64],
        )
        record(
            action=action,
            actor=by,
            target=relationship,
            patient_ref=patient.patient_id,
            detail=_detail(relationship),
        )
    return relationship


def close_relationship(
    *, relationship: CareRelationship, by: User, ends: date | None = None
) -> CareRelationship:
    """End a relationship: from `ends` (default today) on, it no longer holds.

    Closing an already closed relationship at a later day changes nothing (the first end stands).
    """
    action = EventType.CARE_RELATIONSHIP_CLOSE
    _require_same_icp(by, relationship.patient, action)
    ends = ends or timezone.localdate()
    if relationship.ends is not None and relationship.ends <= ends:
        return relationship
    if ends < relationship.starts:
        # Ended before it began (e.g. a referral closed on the day it was opened): hold on no day.
        ends = relationship.starts
    with transaction.atomic():
        relationship.ends = ends
        relationship.save(update_fields=["ends"])
        record(
            action=action,
            actor=by,
            target=relationship,
            patient_ref=relationship.patient.patient_id,
            detail=_detail(relationship),
        )
    return relationship


def close_relationships_from(
    *, source: models.Model | Source, by: User, ends: date | None = None
) -> list[CareRelationship]:
    """Close every open relationship a record created (e.g. all of an MDT-list entry's members)."""
    origin = source_of(source)
    rows = CareRelationship.objects.filter(source_type=origin.type, source_id=origin.id).select_related(
        "patient", "organisation"
    )
    return [close_relationship(relationship=row, by=by, ends=ends) for row in rows]

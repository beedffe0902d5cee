"""Every change to care data, one function per verb (keyword-only, acting user `by=`).

Each checks permission through the access decision, writes in one transaction and records an audit
event. The care team, referral and MDT-list actions also open and close the person's
`patients.CareRelationship` rows (through `icp.patients.actions`), which is what the access
decision reads: a care record and the relationship it makes legitimate change together.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.care.models import (
    CareTeamMember,
    MdtList,
    MdtListEntry,
    ReviewStatus,
    WorklistReview,
)
from icp.partnership.models import Area, Organisation, User, home_icp
from icp.partnership.roles import UserRole
from icp.patients.actions import close_relationships_from, open_relationship
from icp.patients.models import PatientIndex, RelationshipKind
from icp.sharing.actions import can_govern
from icp.sharing.policy import decide
from icp.sharing.vocabulary import DataCategory, Purpose


def review_worklist_entry(
    *, patient: PatientIndex, status: str, by: User, reason: str = "", run_id: str = ""
) -> WorklistReview:
    """Mark a person on a case-finding worklist as reviewed, or as not appropriate (with a reason)."""
    decision = decide(
        by,
        patient,
        Purpose.RISK_STRATIFICATION,
        DataCategory.CONDITIONS,
        action=EventType.WORKLIST_REVIEW_ACCESS,
    )
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    if status not in ReviewStatus.values:
        raise ValidationError(
            {"status": f"Choose a review: {', '.join(str(label).lower() for label in ReviewStatus.labels)}."}
        )
    reason = reason.strip()
    if status == ReviewStatus.NOT_APPROPRIATE and not reason:
        raise ValidationError({"reason": "Say why this person is not appropriate for the worklist."})
    review = WorklistReview(
        patient=patient,
        status=status,
        reason=reason,
        reviewed_by=by,
        reviewed_at=timezone.now(),
        run_id=run_id,
    )
    review.full_clean()
    with transaction.atomic():
        review.save()
        record(
            action=EventType.WORKLIST_REVIEW,
            actor=by,
            target=review,
            patient_ref=patient.patient_id,
            purpose=Purpose.RISK_STRATIFICATION,
            detail={"status": status, "run_id": run_id, "has_reason": bool(reason)},
        )
    return review


def _require_governor(by: Any, icp: Area, action: EventType, target: Any = None) -> None:
    if not can_govern(by, icp):
        raise deny(
            action=action,
            by=by,
            target=target,
            reason=f"Only an IG lead or ICP manager of {icp.name} can do this.",
        )


def _require_care_relationship(by: Any, patient: PatientIndex, action: EventType) -> None:
    """Changing someone's care relationships needs a care relationship yourself (or ICP management)."""
    home = home_icp(by)
    if getattr(by, "role", None) == UserRole.ICP_MANAGER and home is not None and home.pk == patient.icp_id:
        return
    # The decision is audited under the action's own `.check` type (e.g. care_team.add.check).
    decision = decide(by, patient, Purpose.DIRECT_CARE, action=EventType(f"{action}.check"))
    if not decision.allowed or decision.break_glass:
        raise deny(
            action=action,
            by=by,
            reason=f"You need a care relationship with this person to do this: {decision.reason}",
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
        )


def add_care_team_member(
    *,
    patient: PatientIndex,
    organisation: Organisation,
    by: User,
    role: str = "",
    user: User | None = None,
    start_date: date | None = None,
) -> CareTeamMember:
    """Add an organisation (or one of its users) to a person's care team."""
    _require_care_relationship(by, patient, EventType.CARE_TEAM_ADD)
    if user is not None and user.organisation_id != organisation.pk:
        raise ValidationError({"user": "That user does not work for that organisation."})
    with transaction.atomic():
        member = CareTeamMember.objects.create(
            patient=patient,
            organisation=organisation,
            user=user,
            role=role,
            start_date=start_date or timezone.localdate(),
        )
        open_relationship(
            patient=patient,
            kind=RelationshipKind.CARE_TEAM,
            source=member,
            organisation=organisation,
            user=user,
            label=role,
            starts=member.start_date,
            by=by,
        )
        record(
            action=EventType.CARE_TEAM_ADD,
            actor=by,
            target=member,
            patient_ref=patient.patient_id,
            detail={"organisation": organisation.code, "user": user.pk if user else None, "role": role},
        )
    return member


def end_care_team_membership(
    *, member: CareTeamMember, by: User, end_date: date | None = None
) -> CareTeamMember:
    _require_care_relationship(by, member.patient, EventType.CARE_TEAM_END)
    with transaction.atomic():
        member.end_date = end_date or timezone.localdate()
        member.save(update_fields=["end_date"])
        # end_date is the last day in the team; a relationship's `ends` is the first day without it.
        close_relationships_from(source=member, by=by, ends=member.end_date + timedelta(days=1))
        record(
            action=EventType.CARE_TEAM_END,
            actor=by,
            target=member,
            patient_ref=member.patient.patient_id,
            detail={"end_date": member.end_date.isoformat()},
        )
    return member


def create_mdt_list(*, icp: Area, name: str, members: list[Organisation], by: User) -> MdtList:
    _require_governor(by, icp, EventType.MDT_LIST_CREATE)
    with transaction.atomic():
        mdt_list = MdtList.objects.create(icp=icp, name=name)
        mdt_list.members.set(members)
        record(
            action=EventType.MDT_LIST_CREATE,
            actor=by,
            target=mdt_list,
            detail={"icp": icp.code, "members": sorted(m.code for m in members)},
        )
    return mdt_list


def add_to_mdt_list(
    *, mdt_list: MdtList, patient: PatientIndex, by: User, added_on: date | None = None
) -> MdtListEntry:
    """Put a person on an MDT's case list: the list's member organisations may then see them."""
    if by.organisation_id is None or not mdt_list.members.filter(pk=by.organisation_id).exists():
        raise deny(
            action=EventType.MDT_LIST_ADD,
            by=by,
            target=mdt_list,
            reason="Only a member organisation of this MDT can add people to its list.",
        )
    _require_care_relationship(by, patient, EventType.MDT_LIST_ADD)
    with transaction.atomic():
        entry = MdtListEntry.objects.create(
            mdt_list=mdt_list, patient=patient, added_on=added_on or timezone.localdate()
        )
        # One relationship per member organisation: each may then see the person, and each is
        # named in the one table the access decision reads.
        for member in mdt_list.members.order_by("pk"):
            open_relationship(
                patient=patient,
                kind=RelationshipKind.MDT_LIST,
                source=entry,
                organisation=member,
                label=mdt_list.name,
                starts=entry.added_on,
                by=by,
            )
        record(
            action=EventType.MDT_LIST_ADD,
            actor=by,
            target=entry,
            patient_ref=patient.patient_id,
            detail={"mdt_list": mdt_list.pk},
        )
    return entry


def remove_from_mdt_list(*, entry: MdtListEntry, by: User, removed_on: date | None = None) -> MdtListEntry:
    """Take a person off an MDT's case list: from `removed_on` (default today) its members cannot see them."""
    if by.organisation_id is None or not entry.mdt_list.members.filter(pk=by.organisation_id).exists():
        raise deny(
            action=EventType.MDT_LIST_REMOVE,
            by=by,
            target=entry.mdt_list,
            reason="Only a member organisation of this MDT can take people off its list.",
        )
    with transaction.atomic():
        entry.removed_on = removed_on or timezone.localdate()
        entry.save(update_fields=["removed_on"])
        close_relationships_from(source=entry, by=by, ends=entry.removed_on)
        record(
            action=EventType.MDT_LIST_REMOVE,
            actor=by,
            target=entry,
            patient_ref=entry.patient.patient_id,
            detail={"mdt_list": entry.mdt_list_id, "removed_on": entry.removed_on.isoformat()},
        )
    return entry

"""MDT meeting changes, one function per verb (keyword-only, acting user `by=`).

Only users of the MDT's member organisations act on its meetings. Putting a person on a meeting's
case list puts them on the MDT's list (through `care.actions.add_to_mdt_list`, which needs a care
relationship with the person and opens one for every member organisation). Discussion and outcome
are part of the person's record: writing them needs the access decision's yes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import refuse, require_care_access
from icp.care.actions import add_to_mdt_list
from icp.care.mdt.models import CaseSource, MdtAction, MdtAttendance, MdtCase, MdtMeeting
from icp.care.models import MdtList, MdtListEntry
from icp.partnership.models import Organisation, User
from icp.patients.models import PatientIndex
from icp.sharing.vocabulary import DataCategory


def _require_member(by: Any, mdt_list: MdtList, action: EventType) -> None:
    if by.organisation_id is None or not mdt_list.members.filter(pk=by.organisation_id).exists():
        raise refuse(
            by, action, f"Only member organisations of {mdt_list.name} can do this.", target=mdt_list
        )


def _audit_case(case: MdtCase) -> dict[str, Any]:
    return {
        "target_type": "care.mdtcase",
        "target_id": case.public_id,
        "patient_ref": case.patient.patient_id,
    }


def schedule_meeting(
    *, mdt_list: MdtList, starts_at: datetime, by: User, location: str = "", virtual_link: str = ""
) -> MdtMeeting:
    """Schedule a meeting; the last meeting's cases with open actions come to it, with those actions."""
    _require_member(by, mdt_list, EventType.MDT_MEETING_SCHEDULE)
    if not location.strip() and not virtual_link.strip():
        raise ValidationError({"location": "Give a place or a video link (or both)."})
    previous = mdt_list.meetings.filter(starts_at__lt=starts_at).order_by("-starts_at").first()
    with transaction.atomic():
        meeting = MdtMeeting.objects.create(
            mdt_list=mdt_list,
            starts_at=starts_at,
            location=location.strip(),
            virtual_link=virtual_link.strip(),
            created_by=by,
        )
        carried = 0
        if previous is not None:
            for old in (
                previous.cases.filter(actions__done_on__isnull=True).distinct().select_related("patient")
            ):
                if old.patient.death_date is not None:
                    continue
                case = MdtCase.objects.create(
                    meeting=meeting, patient=old.patient, source=CaseSource.CARRIED, carried_from=old
                )
                carried += old.actions.filter(done_on__isnull=True).update(case=case)
        record(
            action=EventType.MDT_MEETING_SCHEDULE,
            actor=by,
            target_type="care.mdtmeeting",
            target_id=meeting.public_id,
            detail={"mdt_list": mdt_list.pk, "carried_actions": carried, "virtual": bool(virtual_link)},
        )
    return meeting


def add_case(
    *, meeting: MdtMeeting, patient: PatientIndex, by: User, source: str = CaseSource.BY_HAND
) -> MdtCase:
    """Put a person on a meeting's case list (and on the MDT's list, if they are not on it yet)."""
    mdt_list = meeting.mdt_list
    _require_member(by, mdt_list, EventType.MDT_CASE_ADD)
    if source not in (CaseSource.WORKLIST, CaseSource.BY_HAND):
        raise ValidationError({"source": "A case is added from a worklist or by hand."})
    if patient.death_date is not None:
        raise ValidationError({"patient": "This person's death has been recorded."})
    if MdtCase.objects.filter(meeting=meeting, patient=patient).exists():
        raise ValidationError({"patient": "This person is already on the meeting's case list."})
    with transaction.atomic():
        if not MdtListEntry.objects.filter(
            mdt_list=mdt_list, patient=patient, removed_on__isnull=True
        ).exists():
            add_to_mdt_list(mdt_list=mdt_list, patient=patient, by=by)
        case = MdtCase.objects.create(meeting=meeting, patient=patient, source=source)
        record(
            action=EventType.MDT_CASE_ADD,
            actor=by,
            **_audit_case(case),
            detail={"meeting": meeting.public_id, "source": source},
        )
    return case


def next_meeting(mdt_list: MdtList, now: datetime | None = None) -> MdtMeeting | None:
    return mdt_list.meetings.filter(starts_at__gte=now or timezone.now()).order_by("starts_at").first()


def list_for_mdt(
    *, mdt_list: MdtList, patient: PatientIndex, by: User, source: str = CaseSource.BY_HAND
) -> MdtCase | MdtListEntry:
    """From the worklist or the person's page: onto the MDT's next meeting, or its list if none is set."""
    meeting = next_meeting(mdt_list)
    if meeting is not None:
        return add_case(meeting=meeting, patient=patient, by=by, source=source)
    _require_member(by, mdt_list, EventType.MDT_LIST_ADD)
    entry = MdtListEntry.objects.filter(mdt_list=mdt_list, patient=patient, removed_on__isnull=True).first()
    return entry or add_to_mdt_list(mdt_list=mdt_list, patient=patient, by=by)


def record_attendance(
    *,
    meeting: MdtMeeting,
    name: str,
    organisation: Organisation,
    by: User,
    role: str = "",
    virtual: bool = False,
) -> MdtAttendance:
    _require_member(by, meeting.mdt_list, EventType.MDT_MEETING_ATTENDANCE)
    if not name.strip():
        raise ValidationError({"name": "Give the attendee's name."})
    with transaction.atomic():
        attendance = MdtAttendance.objects.create(
            meeting=meeting, name=name.strip(), organisation=organisation, role=role.strip(), virtual=virtual
        )
        record(
            action=EventType.MDT_MEETING_ATTENDANCE,
            actor=by,
            target_type="care.mdtmeeting",
            target_id=meeting.public_id,
            detail={"organisation": organisation.code, "virtual": virtual},
        )
    return attendance


def record_discussion(*, case: MdtCase, discussion: str, outcome: str, by: User) -> MdtCase:
    """What the MDT said about the person and what it decided."""
    _require_member(by, case.meeting.mdt_list, EventType.MDT_CASE_DISCUSS)
    require_care_access(by, case.patient, EventType.MDT_CASE_DISCUSS, DataCategory.CARE_PLANS)
    if not discussion.strip() and not outcome.strip():
        raise ValidationError({"discussion": "Record the discussion or the outcome."})
    with transaction.atomic():
        case.discussion, case.outcome, case.discussed = discussion.strip(), outcome.strip(), True
        case.save(update_fields=["discussion", "outcome", "discussed"])
        record(action=EventType.MDT_CASE_DISCUSS, actor=by, **_audit_case(case))
    return case


def add_action(
    *, case: MdtCase, description: str, owner_organisation: Organisation, due_on: date, by: User
) -> MdtAction:
    """An action agreed on a case, owned by any partner organisation, with a due date."""
    _require_member(by, case.meeting.mdt_list, EventType.MDT_ACTION_ADD)
    require_care_access(by, case.patient, EventType.MDT_ACTION_ADD, DataCategory.CARE_PLANS)
    if not description.strip():
        raise ValidationError({"description": "Say what is to be done."})
    with transaction.atomic():
        action = MdtAction.objects.create(
            case=case,
            raised_in=case,
            description=description.strip(),
            owner_organisation=owner_organisation,
            due_on=due_on,
        )
        record(
            action=EventType.MDT_ACTION_ADD,
            actor=by,
            **_audit_case(case),
            detail={
                "action": action.public_id,
                "owner": owner_organisation.code,
                "due_on": due_on.isoformat(),
            },
        )
    return action


def complete_action(*, action: MdtAction, by: User, done_on: date | None = None) -> MdtAction:
    """Mark an action done: by its owning organisation or any member of the MDT."""
    mdt_list = action.case.meeting.mdt_list
    if by.organisation_id != action.owner_organisation_id:
        _require_member(by, mdt_list, EventType.MDT_ACTION_COMPLETE)
    with transaction.atomic():
        action.done_on = done_on or timezone.localdate()
        action.save(update_fields=["done_on"])
        record(
            action=EventType.MDT_ACTION_COMPLETE,
            actor=by,
            **_audit_case(action.case),
            detail={"action": action.public_id},
        )
    return action

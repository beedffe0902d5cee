"""Actions on meetings: schedule, agenda, papers, attendance, minutes (with the quorum check),
decisions and actions. Only an ICP manager of the committee's ICP may use them."""

from __future__ import annotations

import uuid
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.governance.access import can_edit_committee
from icp.governance.meetings.papers import check_paper
from icp.governance.meetings.quorum import QuorumResult, check_quorum
from icp.governance.models import ActionItem, AgendaItem, Attendance, Decision, Meeting, Paper, QuorumRule
from icp.governance.vocab import (
    ActionStatus,
    AgendaPurpose,
    AttendanceStatus,
    DecisionOutcome,
    MeetingMode,
    MeetingStatus,
    MinutesStatus,
)
from icp.partnership.models import Committee, Person, User


def require_editor(by: User, committee: Committee, action: EventType, target: Any) -> None:
    if not can_edit_committee(by, committee):
        raise deny(
            action=action,
            by=by,
            target=target,
            reason="not an ICP manager of this committee's ICP",
            message=f"Only an ICP manager of {committee.area} can change the records of {committee}.",
        )


def schedule_meeting(
    *,
    committee: Committee,
    date: date,
    by: User,
    title: str = "",
    start_time: time | None = None,
    mode: str = MeetingMode.IN_PERSON,
    location: str = "",
    video_link: str = "",
) -> Meeting:
    require_editor(by, committee, EventType.MEETING_CREATE, committee)
    meeting = Meeting(
        committee=committee,
        title=title or f"{committee.name} meeting",
        date=date,
        start_time=start_time,
        mode=mode,
        location=location,
        video_link=video_link,
    )
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        record(
            action=EventType.MEETING_CREATE,
            actor=by,
            target=meeting,
            detail={"committee": committee.pk, "date": str(date), "mode": mode},
        )
    return meeting


def cancel_meeting(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    require_editor(by, meeting.committee, EventType.MEETING_CANCEL, meeting)
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise ValidationError("This meeting's minutes are approved: a held meeting cannot be cancelled.")
    with transaction.atomic():
        meeting.status = MeetingStatus.CANCELLED
        meeting.save(update_fields=["status"])
        record(action=EventType.MEETING_CANCEL, actor=by, target=meeting, detail={"reason": reason})
    return meeting


def add_agenda_item(
    *,
    meeting: Meeting,
    title: str,
    by: User,
    purpose: str = AgendaPurpose.DISCUSSION,
    presenter: str = "",
    summary: str = "",
) -> AgendaItem:
    require_editor(by, meeting.committee, EventType.AGENDA_ITEM_CREATE, meeting)
    with transaction.atomic():
        last = meeting.agenda_items.aggregate(last=Max("number"))["last"] or 0
        item = AgendaItem(
            meeting=meeting,
            number=last + 1,
            title=title,
            purpose=purpose,
            presenter=presenter,
            summary=summary,
        )
        item.full_clean()
        item.save()
        record(
            action=EventType.AGENDA_ITEM_CREATE,
            actor=by,
            target=item,
            detail={"meeting": meeting.pk, "title": title},
        )
    return item


def upload_paper(*, agenda_item: AgendaItem, upload: UploadedFile[bytes], by: User, title: str = "") -> Paper:
    """Attach a paper after checking its type (extension and content) and size."""
    meeting = agenda_item.meeting
    require_editor(by, meeting.committee, EventType.PAPER_UPLOAD, agenda_item)
    checked = check_paper(upload)
    paper = Paper(
        agenda_item=agenda_item,
        title=title or checked.original_name,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    with transaction.atomic():
        # A random stored name: the uploader's file name never becomes a path on disk.
        paper.file.save(f"{uuid.uuid4().hex}{checked.extension}", ContentFile(checked.content), save=False)
        paper.save()
        record(
            action=EventType.PAPER_UPLOAD,
            actor=by,
            target=paper,
            detail={"agenda_item": agenda_item.pk, "size": checked.size, "sha256": checked.sha256},
        )
    return paper


def record_attendance(
    *,
    meeting: Meeting,
    person: Person,
    status: str,
    by: User,
    deputy_for: Person | None = None,
    note: str = "",
) -> Attendance:
    require_editor(by, meeting.committee, EventType.ATTENDANCE_RECORD, meeting)
    if status not in AttendanceStatus.values:
        raise ValidationError(
            f"Attendance status {status!r}: expected one of {', '.join(AttendanceStatus.values)}."
        )
    if deputy_for is not None and deputy_for.pk == person.pk:
        raise ValidationError("A person cannot deputise for themselves.")
    if deputy_for is not None and status != AttendanceStatus.PRESENT:
        raise ValidationError("Only a deputy who is present is recorded as deputising.")
    with transaction.atomic():
        attendance, _ = Attendance.objects.update_or_create(
            meeting=meeting,
            person=person,
            defaults={"status": status, "deputy_for": deputy_for, "note": note},
        )
        record(
            action=EventType.ATTENDANCE_RECORD,
            actor=by,
            target=attendance,
            detail={
                "meeting": meeting.pk,
                "status": status,
                "deputy_for": deputy_for.pk if deputy_for else None,
            },
        )
    return attendance


def save_minutes(*, meeting: Meeting, text: str, by: User) -> Meeting:
    """Save draft minutes; the meeting is then taken as held."""
    require_editor(by, meeting.committee, EventType.MINUTES_SAVE, meeting)
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise ValidationError("These minutes are approved and can no longer be changed.")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("A cancelled meeting has no minutes.")
    if not text.strip():
        raise ValidationError({"minutes": "The minutes are empty."})
    with transaction.atomic():
        meeting.minutes = text
        meeting.minutes_status = MinutesStatus.DRAFT
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["minutes", "minutes_status", "status"])
        record(action=EventType.MINUTES_SAVE, actor=by, target=meeting, detail={"characters": len(text)})
    return meeting


def approve_minutes(*, meeting: Meeting, by: User, on: date | None = None) -> QuorumResult:
    """Approve the minutes, checking the quorum from the recorded attendance.

    An inquorate meeting's minutes can still be approved as a true record, but the meeting is
    marked inquorate, so its decisions show as needing ratification at a quorate meeting.
    """
    require_editor(by, meeting.committee, EventType.MINUTES_APPROVE, meeting)
    if meeting.minutes_status != MinutesStatus.DRAFT:
        raise ValidationError("Only draft minutes can be approved: write the minutes first.")
    if not meeting.attendance.exists():
        raise ValidationError("Record the attendance before approving the minutes: the quorum depends on it.")
    result = check_quorum(meeting)
    with transaction.atomic():
        meeting.minutes_status = MinutesStatus.APPROVED
        meeting.minutes_approved_on = on or date.today()
        meeting.quorate = result.quorate
        meeting.quorum_note = result.explanation
        meeting.save(update_fields=["minutes_status", "minutes_approved_on", "quorate", "quorum_note"])
        record(
            action=EventType.MINUTES_APPROVE,
            actor=by,
            target=meeting,
            detail={
                "quorate": result.quorate,
                "present": result.members_present,
                "required": result.required,
            },
        )
    return result


def record_decision(
    *,
    meeting: Meeting,
    text: str,
    outcome: str,
    by: User,
    proposed_by: Person | None = None,
    seconded_by: Person | None = None,
    agenda_item: AgendaItem | None = None,
) -> Decision:
    require_editor(by, meeting.committee, EventType.DECISION_CREATE, meeting)
    if outcome not in DecisionOutcome.values:
        raise ValidationError(f"Outcome {outcome!r}: expected one of {', '.join(DecisionOutcome.values)}.")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError("That agenda item belongs to another meeting.")
    decision = Decision(
        meeting=meeting,
        text=text,
        outcome=outcome,
        proposed_by=proposed_by,
        seconded_by=seconded_by,
        agenda_item=agenda_item,
    )
    decision.full_clean()
    with transaction.atomic():
        decision.save()
        record(
            action=EventType.DECISION_CREATE,
            actor=by,
            target=decision,
            detail={"meeting": meeting.pk, "outcome": outcome},
        )
    return decision


def add_action_item(
    *,
    committee: Committee,
    description: str,
    owner: Person,
    due_date: date,
    by: User,
    meeting: Meeting | None = None,
) -> ActionItem:
    require_editor(by, committee, EventType.ACTION_ITEM_CREATE, committee)
    if meeting is not None and meeting.committee_id != committee.pk:
        raise ValidationError("That meeting belongs to another committee.")
    item = ActionItem(
        committee=committee, meeting=meeting, description=description, owner=owner, due_date=due_date
    )
    item.full_clean()
    with transaction.atomic():
        item.save()
        record(
            action=EventType.ACTION_ITEM_CREATE,
            actor=by,
            target=item,
            detail={"committee": committee.pk, "owner": owner.pk, "due_date": str(due_date)},
        )
    return item


def update_action_item(
    *, action_item: ActionItem, status: str, by: User, progress_note: str = "", on: date | None = None
) -> ActionItem:
    require_editor(by, action_item.committee, EventType.ACTION_ITEM_UPDATE, action_item)
    if status not in ActionStatus.values:
        raise ValidationError(f"Status {status!r}: expected one of {', '.join(ActionStatus.values)}.")
    before = action_item.status
    with transaction.atomic():
        action_item.status = status
        action_item.completed_on = (on or date.today()) if status == ActionStatus.DONE else None
        if progress_note:
            action_item.progress_note = progress_note
        action_item.save(update_fields=["status", "completed_on", "progress_note"])
        record(
            action=EventType.ACTION_ITEM_UPDATE,
            actor=by,
            target=action_item,
            detail={"from": before, "to": status},
        )
    return action_item


def set_quorum_rule(
    *,
    committee: Committee,
    share_of_filled_seats: Decimal,
    by: User,
    minimum_present: int = 0,
    chair_or_vice_chair_required: bool = True,
    deputies_count: bool = True,
    source: str = "",
) -> QuorumRule:
    """Record the committee's quorum rule (from its standing orders); it applies to minutes approved later."""
    require_editor(by, committee, EventType.QUORUM_RULE_SET, committee)
    rule = QuorumRule.objects.filter(committee=committee).first() or QuorumRule(committee=committee)
    before = {"share": str(rule.share_of_filled_seats), "minimum": rule.minimum_present} if rule.pk else None
    rule.share_of_filled_seats = share_of_filled_seats
    rule.minimum_present = minimum_present
    rule.chair_or_vice_chair_required = chair_or_vice_chair_required
    rule.deputies_count = deputies_count
    rule.source = source
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        record(
            action=EventType.QUORUM_RULE_SET,
            actor=by,
            target=rule,
            detail={
                "before": before,
                "share": str(share_of_filled_seats),
                "minimum": minimum_present,
                "chair_or_vice": chair_or_vice_chair_required,
                "deputies_count": deputies_count,
            },
        )
    return rule

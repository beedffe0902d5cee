"""Members sending (and withdrawing) their apologies for a coming meeting, from the meeting's page.

Attendance is otherwise recorded by the ICP manager (`actions.record_attendance`). Apologies are
the one part a member gives for themselves, before the meeting, so the quorum forecast
(`quorum.forecast_quorum`) can warn in time to find deputies. A member acts only for themselves:
their login must be linked to the person who holds the seat on the meeting's day.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.governance.models import Attendance, Meeting
from icp.governance.vocab import AttendanceStatus, MeetingStatus
from icp.partnership.models import Person, User


def holds_seat(user: User, meeting: Meeting) -> bool:
    """Whether the user's linked person holds a seat on the committee on the meeting's day."""
    if user.person_id is None:
        return False
    return any(
        m.is_current(meeting.date) for m in meeting.committee.memberships.filter(person_id=user.person_id)
    )


def is_coming(meeting: Meeting, today: date | None = None) -> bool:
    """A meeting still to happen: scheduled, and today or later."""
    return meeting.status == MeetingStatus.SCHEDULED and meeting.date >= (today or date.today())


def _require_member_before_meeting(by: User, meeting: Meeting, action: EventType) -> Person:
    """The person whose seat the user holds, once they may send apologies for this meeting."""
    if by.person is None or not holds_seat(by, meeting):
        raise deny(
            action=action,
            by=by,
            target=meeting,
            reason="does not hold a seat on this committee on the meeting's day",
            message=(
                f"Only a member holding a seat on {meeting.committee} can send apologies for its meetings. "
                "If you hold one, ask the ICP manager to link your login to your seat."
            ),
        )
    if not is_coming(meeting):
        raise ValidationError(
            "Apologies are sent before a meeting: this one has already taken place or was cancelled."
        )
    return by.person


def send_apologies(*, meeting: Meeting, by: User, note: str = "") -> Attendance:
    """Record that the member cannot come (the note, if any, is shown to the committee)."""
    member = _require_member_before_meeting(by, meeting, EventType.APOLOGIES_SEND)
    if len(note) > 200:
        raise ValidationError({"note": "Keep the note to 200 characters or fewer."})
    with transaction.atomic():
        attendance, _ = Attendance.objects.update_or_create(
            meeting=meeting,
            person=member,
            defaults={"status": AttendanceStatus.APOLOGIES, "deputy_for": None, "note": note},
        )
        record(action=EventType.APOLOGIES_SEND, actor=by, target=attendance, detail={"meeting": meeting.pk})
    return attendance


def withdraw_apologies(*, meeting: Meeting, by: User) -> None:
    """The member can come after all: their apologies are taken off the meeting."""
    member = _require_member_before_meeting(by, meeting, EventType.APOLOGIES_WITHDRAW)
    sent = Attendance.objects.filter(
        meeting=meeting, person=member, status=AttendanceStatus.APOLOGIES
    ).first()
    if sent is None:
        raise ValidationError("You have not sent apologies for this meeting.")
    with transaction.atomic():
        record(action=EventType.APOLOGIES_WITHDRAW, actor=by, target=sent, detail={"meeting": meeting.pk})
        sent.delete()

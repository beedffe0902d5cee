"""The quorum rule (checked when minutes are approved) and the four-meetings-a-year check."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from icp.governance.meetings import actions as actions
from icp.governance.meetings.quorum import check_quorum, meeting_frequency
from icp.governance.models import Meeting, QuorumRule
from icp.governance.vocab import AttendanceStatus, MeetingMode, MeetingStatus
from icp.partnership.models import Committee, Person, User
from icp.partnership.roles import Office

MEETING_DAY = date(2026, 6, 10)


def _members(committee: Committee) -> tuple[Person, Person | None, list[Person]]:
    current = [m for m in committee.memberships.select_related("person") if m.is_current(MEETING_DAY)]
    chair = next(m.person for m in current if m.office == Office.CHAIR)
    others = [m.person for m in current if m.office == Office.MEMBER]
    return chair, None, others


def _meeting(committee: Committee, manager: User) -> Meeting:
    return actions.schedule_meeting(
        committee=committee,
        date=MEETING_DAY,
        by=manager,
        mode=MeetingMode.VIRTUAL,
        video_link="https://video.invalid/x",
    )


def _attend(meeting: Meeting, manager: User, people: list[Person]) -> None:
    for person in people:
        actions.record_attendance(meeting=meeting, person=person, status=AttendanceStatus.PRESENT, by=manager)


def test_default_rule_is_half_the_filled_seats_plus_the_chair(
    committee: Committee, demo_manager: User
) -> None:
    chair, _, others = _members(committee)
    seats_filled = len(others) + 1
    needed = -(-seats_filled // 2)  # half, rounded up
    meeting = _meeting(committee, demo_manager)
    _attend(meeting, demo_manager, [chair, *others[: needed - 1]])
    result = check_quorum(meeting)
    assert (result.seats_filled, result.required, result.members_present) == (seats_filled, needed, needed)
    assert result.quorate and result.chair_or_vice_present


def test_one_short_of_half_is_inquorate(committee: Committee, demo_manager: User) -> None:
    chair, _, others = _members(committee)
    needed = -(-(len(others) + 1) // 2)
    meeting = _meeting(committee, demo_manager)
    _attend(meeting, demo_manager, [chair, *others[: needed - 2]])
    result = check_quorum(meeting)
    assert not result.quorate
    assert f"{needed - 1} of {len(others) + 1} members present; {needed} needed" in result.explanation


def test_without_the_chair_or_vice_chair_it_is_inquorate_however_many_attend(
    committee: Committee, demo_manager: User
) -> None:
    _, _, others = _members(committee)
    meeting = _meeting(committee, demo_manager)
    _attend(meeting, demo_manager, others)
    result = check_quorum(meeting)
    assert not result.quorate
    assert "neither the chair nor the vice chair" in result.explanation


def test_the_vice_chair_can_stand_in_for_the_chair(committee: Committee, demo_manager: User) -> None:
    _, _, others = _members(committee)
    vice = committee.memberships.get(person=others[0])
    vice.office = Office.VICE_CHAIR
    vice.save()
    meeting = _meeting(committee, demo_manager)
    _attend(meeting, demo_manager, others)
    assert check_quorum(meeting).quorate


def test_a_deputy_counts_for_the_member_they_replace_once(committee: Committee, demo_manager: User) -> None:
    chair, _, others = _members(committee)
    needed = -(-(len(others) + 1) // 2)
    meeting = _meeting(committee, demo_manager)
    _attend(meeting, demo_manager, [chair, *others[: needed - 2]])
    absent_member = others[-1]
    deputy = Person.objects.create(name="Deputy (synthetic)", professional_role="nurse")
    actions.record_attendance(
        meeting=meeting, person=absent_member, status=AttendanceStatus.APOLOGIES, by=demo_manager
    )
    actions.record_attendance(
        meeting=meeting,
        person=deputy,
        status=AttendanceStatus.PRESENT,
        deputy_for=absent_member,
        by=demo_manager,
    )
    assert check_quorum(meeting).quorate
    QuorumRule.objects.create(committee=committee, deputies_count=False)
    assert not check_quorum(meeting).quorate


def test_guests_who_hold_no_seat_do_not_count(committee: Committee, demo_manager: User) -> None:
    chair, _, _ = _members(committee)
    meeting = _meeting(committee, demo_manager)
    guests = [
        Person.objects.create(name=f"Guest {n} (synthetic)", professional_role="manager") for n in range(10)
    ]
    _attend(meeting, demo_manager, [chair, *guests])
    assert check_quorum(meeting).members_present == 1


def test_the_rule_is_data_per_committee(committee: Committee, demo_manager: User) -> None:
    chair, _, others = _members(committee)
    meeting = _meeting(committee, demo_manager)
    _attend(meeting, demo_manager, [chair, *others[:2]])
    QuorumRule.objects.create(
        committee=committee,
        share_of_filled_seats=Decimal("0.20"),
        minimum_present=3,
        chair_or_vice_chair_required=False,
    )
    result = check_quorum(meeting)
    assert result.required == 3 and result.quorate


def test_approving_minutes_records_the_quorum_verdict(committee: Committee, demo_manager: User) -> None:
    _, _, others = _members(committee)
    meeting = _meeting(committee, demo_manager)
    with pytest.raises(ValidationError, match="write the minutes first"):
        actions.approve_minutes(meeting=meeting, by=demo_manager)
    actions.save_minutes(meeting=meeting, text="The committee met.", by=demo_manager)
    with pytest.raises(ValidationError, match="Record the attendance"):
        actions.approve_minutes(meeting=meeting, by=demo_manager)
    _attend(meeting, demo_manager, others[:2])
    result = actions.approve_minutes(meeting=meeting, by=demo_manager)
    meeting.refresh_from_db()
    assert result.quorate is False and meeting.quorate is False
    assert meeting.quorum_note.startswith("Inquorate")
    with pytest.raises(ValidationError, match="approved"):
        actions.save_minutes(meeting=meeting, text="Rewritten", by=demo_manager)


def _held(committee: Committee, on: date, status: str = MeetingStatus.HELD) -> Meeting:
    return Meeting.objects.create(
        committee=committee, date=on, location="Town hall (synthetic)", status=status
    )


def test_fewer_than_four_meetings_in_twelve_months_is_flagged(committee: Committee) -> None:
    today = date(2026, 11, 1)
    for months_ago in (1, 4, 7):
        _held(committee, today - timedelta(days=30 * months_ago))
    _held(committee, today - timedelta(days=400))  # more than a year ago: does not count
    _held(committee, today - timedelta(days=60), status=MeetingStatus.CANCELLED)  # cancelled: does not count
    _held(committee, today + timedelta(days=20), status=MeetingStatus.SCHEDULED)  # not yet held
    frequency = meeting_frequency(committee, on=today)
    assert frequency.meetings == 3 and frequency.flagged
    _held(committee, today - timedelta(days=300))
    frequency = meeting_frequency(committee, on=today)
    assert frequency.meetings == 4 and not frequency.flagged


def test_a_meeting_exactly_a_year_ago_falls_outside_the_window(committee: Committee) -> None:
    today = date(2026, 11, 1)
    _held(committee, today - timedelta(days=365))
    assert meeting_frequency(committee, on=today).meetings == 0

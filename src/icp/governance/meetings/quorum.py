"""The quorum check and the four-meetings-a-year check.

A meeting is quorate when the members present (counting deputies who attend for a member, if the
rule allows) reach the committee's share of the seats filled on the day (rounded up), reach its
floor, and — if the rule says so — include the chair or the vice chair. Only people who hold a seat
on the day count: officers and guests in attendance do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from icp.governance.models import Meeting, QuorumRule
from icp.governance.vocab import AttendanceStatus, MeetingStatus
from icp.partnership.models import Committee
from icp.partnership.roles import Office

MEETINGS_PER_YEAR = 4


def rule_for(committee: Committee) -> QuorumRule:
    """The committee's rule, or the default (half the filled seats plus the chair or vice chair)."""
    found = QuorumRule.objects.filter(committee=committee).first()
    return found or QuorumRule(committee=committee)


@dataclass(frozen=True)
class QuorumResult:
    quorate: bool
    seats_filled: int
    members_present: int
    required: int
    chair_or_vice_present: bool
    chair_or_vice_required: bool
    explanation: str


def check_quorum(meeting: Meeting) -> QuorumResult:
    rule = rule_for(meeting.committee)
    on = meeting.date
    current = [m for m in meeting.committee.memberships.all() if m.is_current(on)]
    member_ids = {m.person_id for m in current}
    officers = {m.person_id for m in current if m.office in (Office.CHAIR, Office.VICE_CHAIR)}
    counted: set[int] = set()
    officer_present = False
    for attendance in meeting.attendance.filter(status=AttendanceStatus.PRESENT):
        if attendance.person_id in member_ids:
            counted.add(attendance.person_id)
            officer_present = officer_present or attendance.person_id in officers
        elif rule.deputies_count and attendance.deputy_for_id in member_ids:
            # The deputy stands in for the member's seat; a seat counts once.
            counted.add(attendance.deputy_for_id)
    seats_filled = len(member_ids)
    share = Decimal(rule.share_of_filled_seats)
    required = max(math.ceil(share * seats_filled), rule.minimum_present)
    reasons = []
    if len(counted) < required:
        reasons.append(f"{len(counted)} of {seats_filled} members present; {required} needed")
    if rule.chair_or_vice_chair_required and not officer_present:
        reasons.append("neither the chair nor the vice chair was present")
    quorate = not reasons
    if quorate:
        explanation = f"Quorate: {len(counted)} of {seats_filled} members present ({required} needed)"
        if rule.chair_or_vice_chair_required:
            explanation += ", with the chair or vice chair"
    else:
        explanation = "Inquorate: " + "; ".join(reasons)
    return QuorumResult(
        quorate=quorate,
        seats_filled=seats_filled,
        members_present=len(counted),
        required=required,
        chair_or_vice_present=officer_present,
        chair_or_vice_required=rule.chair_or_vice_chair_required,
        explanation=explanation,
    )


@dataclass(frozen=True)
class MeetingFrequency:
    committee: Committee
    meetings: int
    since: date
    on: date

    @property
    def flagged(self) -> bool:
        return self.meetings < MEETINGS_PER_YEAR


def meeting_frequency(committee: Committee, on: date | None = None) -> MeetingFrequency:
    """Meetings held in the 12 months up to `on`: not cancelled, dated after `on` less a year."""
    on = on or date.today()
    since = on - timedelta(days=365)
    count = (
        Meeting.objects.filter(committee=committee, date__gt=since, date__lte=on)
        .exclude(status=MeetingStatus.CANCELLED)
        .count()
    )
    return MeetingFrequency(committee=committee, meetings=count, since=since, on=on)

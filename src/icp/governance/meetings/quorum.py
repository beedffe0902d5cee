"""The quorum check and the four-meetings-a-year check.

A meeting is quorate when the members present (counting deputies who attend for a member, if the
rule allows) reach the committee's share of the seats filled on the day (rounded up), reach its
floor, and — if the rule says so — include the chair or the vice chair. Only people who hold a seat
on the day count: officers and guests in attendance do not.

Before a meeting, `forecast_quorum` applies the same rule to the apologies received so far: it
assumes every member who has not sent apologies comes (or their named deputy does), so it can say
"not expected to be quorate" in time to find deputies, but a forecast of quorate is only as good
as members' habit of sending apologies.
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


def _seats_on(meeting: Meeting) -> tuple[set[int], set[int]]:
    """The people holding a seat on the meeting's day, and those of them who are chair or vice chair."""
    current = [m for m in meeting.committee.memberships.all() if m.is_current(meeting.date)]
    member_ids = {m.person_id for m in current}
    officers = {m.person_id for m in current if m.office in (Office.CHAIR, Office.VICE_CHAIR)}
    return member_ids, officers


def _required(rule: QuorumRule, seats_filled: int) -> int:
    return max(math.ceil(Decimal(rule.share_of_filled_seats) * seats_filled), rule.minimum_present)


def check_quorum(meeting: Meeting) -> QuorumResult:
    rule = rule_for(meeting.committee)
    member_ids, officers = _seats_on(meeting)
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
    required = _required(rule, seats_filled)
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
class QuorumForecast:
    """Whether a coming meeting is expected to be quorate, from the apologies received so far."""

    expected_quorate: bool
    seats_filled: int
    apologies: int
    expected: int
    required: int
    chair_or_vice_expected: bool
    chair_or_vice_required: bool
    explanation: str


def forecast_quorum(meeting: Meeting) -> QuorumForecast:
    rule = rule_for(meeting.committee)
    member_ids, officers = _seats_on(meeting)
    rows = list(meeting.attendance.all())
    sent_apologies = {a.person_id for a in rows if a.status == AttendanceStatus.APOLOGIES} & member_ids
    covered = {
        a.deputy_for_id
        for a in rows
        if rule.deputies_count and a.status == AttendanceStatus.PRESENT and a.deputy_for_id in sent_apologies
    }
    expected = len(member_ids - sent_apologies) + len(covered)
    # A deputy never counts as the chair: chairing passes to the vice chair, not to a stand-in.
    officer_expected = bool(officers - sent_apologies)
    required = _required(rule, len(member_ids))
    reasons = []
    if expected < required:
        reasons.append(f"only {expected} of {len(member_ids)} members can come; {required} needed")
    if rule.chair_or_vice_chair_required and not officer_expected:
        reasons.append("neither the chair nor the vice chair can come")
    apologies = f"{len(sent_apologies)} apolog{'y' if len(sent_apologies) == 1 else 'ies'} so far"
    if reasons:
        explanation = f"Not expected to be quorate: {'; '.join(reasons)} ({apologies})"
    else:
        explanation = (
            f"Expected to be quorate: {expected} of {len(member_ids)} members can come "
            f"({required} needed; {apologies})"
        )
        if rule.chair_or_vice_chair_required:
            explanation += ", with the chair or vice chair"
    return QuorumForecast(
        expected_quorate=not reasons,
        seats_filled=len(member_ids),
        apologies=len(sent_apologies),
        expected=expected,
        required=required,
        chair_or_vice_expected=officer_expected,
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

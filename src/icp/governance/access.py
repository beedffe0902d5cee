"""Who may see and change governance records. Every view, API endpoint and action asks here.

- Committee members (including service users and carers) see their committee's meetings, papers
  and the business cases of its ICP. A user counts as a member when their `person` holds a seat on
  the committee, or when their login role is "committee member" and their home ICP is the
  committee's ICP.
- ICP managers see and edit their own ICP's records, and no other ICP's.
- Reviewers act on cases sent to their commissioning body: the LCG area (NI) or ICB (England)
  that is, or contains, their home area.
- Plans, projects, strategies and ECHO networks hold no personal data and are visible to every
  logged-in user, so that spread across ICPs and area roll-ups can be seen; editing stays with the
  owning ICP's managers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from icp.audit.events import EventType
from icp.audit.log import deny
from icp.governance.vocab import CaseStatus
from icp.partnership.models import Area, Committee, User, home_icp
from icp.partnership.roles import AreaLevel, UserRole

COMMISSIONING_LEVELS = (AreaLevel.LCG_AREA, AreaLevel.ICB)


def commissioning_body_for(area: Area) -> Area | None:
    """The body that reviews the area's business cases: its nearest LCG-area or ICB ancestor."""
    for node in [area, *area.ancestors()]:
        if node.level in COMMISSIONING_LEVELS:
            return node
    return None


def reviewer_body(user: User) -> Area | None:
    """The commissioning body a reviewer acts for (None for anyone who is not a reviewer)."""
    if user.role != UserRole.REVIEWER or user.home_area is None:
        return None
    return commissioning_body_for(user.home_area)


def is_reviewer_for(user: User, body: Area | None) -> bool:
    if body is None:
        return False
    if user.is_superuser:
        return True
    mine = reviewer_body(user)
    return mine is not None and mine.pk == body.pk


def can_edit_icp(user: User, icp: Area) -> bool:
    """ICP managers edit their own ICP's records (superusers all)."""
    return user.is_authenticated and user.is_icp_manager_for(icp)


def require_icp_manager(
    by: User, icp: Area, action: EventType, target: Any, records: str = "records"
) -> None:
    """Refuse (audited) unless `by` may edit the ICP's records; `records` names them in the message."""
    if not can_edit_icp(by, icp):
        raise deny(
            action=action,
            by=by,
            target=target,
            reason="not an ICP manager of this ICP",
            message=f"Only an ICP manager of {icp} can change its {records}.",
        )


def is_committee_member(user: User, committee: Committee, on: date | None = None) -> bool:
    on = on or date.today()
    if user.person_id is not None:
        seats = committee.memberships.filter(person_id=user.person_id, start_date__lte=on)
        if seats.exclude(end_date__lt=on).exists():
            return True
    icp = home_icp(user)
    committee_icp = committee.area.icp()
    return (
        user.role == UserRole.COMMITTEE_MEMBER
        and icp is not None
        and committee_icp is not None
        and icp.pk == committee_icp.pk
    )


def can_view_committee(user: User, committee: Committee) -> bool:
    """Meetings, papers, minutes and actions of a committee."""
    if not user.is_authenticated:
        return False
    return user.is_icp_manager_for(committee.area) or is_committee_member(user, committee)


def can_edit_committee(user: User, committee: Committee) -> bool:
    return user.is_authenticated and user.is_icp_manager_for(committee.area)


def is_member_of_icp_committee(user: User, icp: Area) -> bool:
    return any(is_committee_member(user, committee) for committee in icp.committees.all())


def can_view_case(user: User, case_icp: Area, status: str, body: Area | None) -> bool:
    """A case is seen by its ICP's managers and committee members, and — once sent — its reviewers."""
    if not user.is_authenticated:
        return False
    if user.is_icp_manager_for(case_icp) or is_member_of_icp_committee(user, case_icp):
        return True
    return status != CaseStatus.DRAFT and is_reviewer_for(user, body or commissioning_body_for(case_icp))

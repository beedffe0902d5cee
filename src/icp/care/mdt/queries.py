"""Reading MDTs, for the pages and the JSON API alike.

Only an MDT's member organisations see it (`member_list`, refusal audited); a meeting's case list
shows each person only if the access decision lets the user see their care plans for the user's
care purpose, and the view is one audit event naming who was shown and how many were hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import care_purpose, refuse
from icp.care.mdt.models import MdtCase, MdtMeeting
from icp.care.models import MdtList
from icp.partnership.models import User
from icp.sharing.policy import readable
from icp.sharing.vocabulary import DataCategory


def lists_of(user: User) -> QuerySet[MdtList]:
    """The MDTs the user's organisation is a member of."""
    if user.organisation_id is None:
        return MdtList.objects.none()
    return MdtList.objects.filter(members=user.organisation_id).order_by("name")


def member_list(user: User, list_id: int, action: EventType) -> MdtList:
    """The MDT, for a user of one of its member organisations; 404 unknown, refused (audited) else."""
    mdt_list = MdtList.objects.filter(pk=list_id).first()
    if mdt_list is None:
        raise Http404("No MDT with that id.")
    if user.organisation_id is None or not mdt_list.members.filter(pk=user.organisation_id).exists():
        raise refuse(user, action, f"Only member organisations of {mdt_list.name} see it.", target=mdt_list)
    return mdt_list


def member_meeting(user: User, meeting_id: str, action: EventType) -> MdtMeeting:
    meeting = MdtMeeting.objects.select_related("mdt_list").filter(public_id=str(meeting_id)[:32]).first()
    if meeting is None:
        raise Http404("No MDT meeting with that id.")
    member_list(user, meeting.mdt_list.pk, action)
    return meeting


@dataclass(frozen=True)
class CasesSeen:
    cases: list[MdtCase]
    hidden: int


def readable_cases(user: User, meeting: MdtMeeting) -> CasesSeen:
    """The meeting's cases the access decision lets this user see (audited as one meeting view)."""
    purpose = care_purpose(user)
    listed = list(
        meeting.cases.select_related("patient", "carried_from__meeting").prefetch_related(
            "actions__owner_organisation"
        )
    )
    cases: list[MdtCase] = []
    hidden = len(listed)
    if purpose is not None:
        cases, hidden = readable(user, listed, lambda case: case.patient, purpose, DataCategory.CARE_PLANS)
    record(
        action=EventType.MDT_MEETING_VIEW,
        actor=user,
        target_type="care.mdtmeeting",
        target_id=meeting.public_id,
        detail={"shown": [c.patient.patient_id for c in cases], "hidden_by_access_decision": hidden},
        subjects=[c.patient.patient_id for c in cases],
    )
    return CasesSeen(cases, hidden)

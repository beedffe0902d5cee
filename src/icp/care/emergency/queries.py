"""Reading emergency-response lists, for the pages and the JSON API alike.

`lists_for(user)`: the lists of the user's ICP the user may see (all of them for those who govern
the ICP or act for emergency response, otherwise the lists given to the user's own hub).
`readable_entries(user, emergency_list)`: the people on a list the user may see, each passed by the
access decision for the purpose the user works the list for; the view is one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import refuse
from icp.care.emergency.actions import list_purpose
from icp.care.emergency.models import EmergencyList, EmergencyListEntry
from icp.partnership.models import Area, User
from icp.sharing.actions import can_govern
from icp.sharing.policy import readable
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import DataCategory, Purpose

MAX_SHOWN = 500


@dataclass(frozen=True)
class ListsSeen:
    icp: Area
    governs: bool
    lists: QuerySet[EmergencyList]


def lists_for(user: User) -> ListsSeen:
    icp = user.home_area.icp() if user.home_area_id and user.home_area else None
    if icp is None:
        raise refuse(user, EventType.EMERGENCY_LIST_VIEW, "Your account works for no ICP.")
    governs = can_govern(user, icp)
    rows = EmergencyList.objects.filter(icp=icp).select_related("hub")
    if not governs and Purpose.EMERGENCY not in purposes_for(user.role):
        rows = rows.filter(hub_id=user.organisation_id) if user.organisation_id else rows.none()
    return ListsSeen(icp, governs, rows)


@dataclass(frozen=True)
class EntriesSeen:
    purpose: str
    shown: list[EmergencyListEntry]
    hidden: int


def readable_entries(user: User, emergency_list: EmergencyList) -> EntriesSeen:
    """The people on the list this user may see (audited with the purpose); refuses anyone else."""
    purpose = list_purpose(user)
    worked_here = emergency_list.hub_id is None or user.organisation_id == emergency_list.hub_id
    if purpose is None or not (worked_here or purpose == Purpose.EMERGENCY):
        raise refuse(
            user,
            EventType.EMERGENCY_LIST_VIEW,
            "This list is for its hub and emergency responders.",
            target=emergency_list,
        )
    entries = (
        emergency_list.entries.filter(removed_on__isnull=True)
        .select_related("patient")
        .prefetch_related("contacts")
    )
    shown, hidden = readable(
        user, list(entries[:MAX_SHOWN]), lambda entry: entry.patient, purpose, DataCategory.DEMOGRAPHICS
    )
    record(
        action=EventType.EMERGENCY_LIST_VIEW,
        actor=user,
        target_type="care.emergencylist",
        target_id=emergency_list.public_id,
        purpose=purpose,
        detail={"shown": [e.patient.patient_id for e in shown], "hidden_by_access_decision": hidden},
        subjects=[e.patient.patient_id for e in shown],
    )
    return EntriesSeen(purpose, shown, hidden)

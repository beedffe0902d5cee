"""JSON API for committee meetings and their actions (mounted under /api/governance/).

Reads are filtered by the same access rules as the pages (`governance.access`); writes call the
meeting actions, so permission checks and audit are the same whichever door a change comes through.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import model_validator

from icp.governance.access import can_view_committee
from icp.governance.meetings import actions as meeting_actions
from icp.governance.meetings.quorum import meeting_frequency
from icp.governance.models import ActionItem, Meeting
from icp.governance.vocab import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    MeetingMode,
)
from icp.governance.web import acting_user as _user
from icp.partnership.dates import IsoDate
from icp.partnership.models import Committee, Person, User

router = Router(tags=["governance"])


class MeetingOut(Schema):
    id: int
    committee: int = Field(..., alias="committee_id")
    title: str
    date: date
    start_time: time | None
    mode: str
    location: str
    video_link: str
    status: str
    minutes_status: str
    quorate: bool | None
    quorum_note: str


class MeetingIn(Schema):
    committee_id: int
    date: date
    title: str = ""
    start_time: time | None = None
    mode: MeetingMode = MeetingMode.IN_PERSON
    location: str = ""
    video_link: str = ""

    @model_validator(mode="after")
    def local_start_time(self) -> MeetingIn:
        """A start time sent with a UTC offset (`10:00+01:00`) is kept as the local time it is on the
        meeting's date (meetings are held in the site's time zone), not refused with a 500."""
        if self.start_time is not None and self.start_time.tzinfo is not None:
            moment = datetime.combine(self.date, self.start_time)
            self.start_time = timezone.localtime(moment).time().replace(tzinfo=None)
        return self


class FrequencyOut(Schema):
    committee: int
    meetings_in_last_12_months: int
    since: date
    on: date
    flagged: bool


def _visible_committees(user: User) -> list[Committee]:
    return [c for c in Committee.objects.select_related("area") if can_view_committee(user, c)]


@router.get("/meetings", response=list[MeetingOut], summary="Meetings of the committees you can see")
def list_meetings(request: HttpRequest, committee: int | None = None) -> list[Meeting]:
    committees = _visible_committees(_user(request))
    if committee is not None:
        committees = [c for c in committees if c.pk == committee]
    return list(Meeting.objects.filter(committee__in=committees).order_by("-date"))


@router.post("/meetings", response={201: MeetingOut}, summary="Schedule a meeting (ICP managers of its ICP)")
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    committee = get_object_or_404(Committee, pk=payload.committee_id)
    data = payload.dict(exclude={"committee_id"})
    return Status(201, meeting_actions.schedule_meeting(committee=committee, by=_user(request), **data))


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("committee__area"), pk=meeting_id)
    if not can_view_committee(_user(request), meeting.committee):
        raise HttpError(403, "Only this committee's members and its ICP's managers can see its meetings.")
    return meeting


@router.get(
    "/committees/{committee_id}/meeting-frequency",
    response=FrequencyOut,
    summary="Meetings in the last 12 months; flagged when fewer than four",
)
def committee_frequency(
    request: HttpRequest, committee_id: int, on: IsoDate | None = None
) -> dict[str, object]:
    committee = get_object_or_404(Committee.objects.select_related("area"), pk=committee_id)
    if not can_view_committee(_user(request), committee):
        raise HttpError(403, "Only this committee's members and its ICP's managers can see it.")
    frequency = meeting_frequency(committee, on)
    return {
        "committee": committee.pk,
        "meetings_in_last_12_months": frequency.meetings,
        "since": frequency.since,
        "on": frequency.on,
        "flagged": frequency.flagged,
    }


# Actions ----------------------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    committee: int
    meeting: int | None
    description: str
    owner: str
    owner_id: int
    due_date: date
    status: str
    overdue: bool


class ActionIn(Schema):
    committee_id: int
    description: str
    owner_id: int
    due_date: date
    meeting_id: int | None = None


class ActionStatusIn(Schema):
    status: ActionStatus
    progress_note: str = ""


def _action_out(item: ActionItem) -> dict[str, object]:
    return {
        "id": item.pk,
        "committee": item.committee_id,
        "meeting": item.meeting_id,
        "description": item.description,
        "owner": item.owner.name,
        "owner_id": item.owner_id,
        "due_date": item.due_date,
        "status": item.status,
        "overdue": item.is_overdue(),
    }


@router.get("/actions", response=list[ActionOut], summary="Actions of the committees you can see")
def list_actions(
    request: HttpRequest, committee: int | None = None, owner: int | None = None, overdue: bool = False
) -> list[dict[str, object]]:
    items = ActionItem.objects.filter(committee__in=_visible_committees(_user(request))).select_related(
        "owner"
    )
    if committee is not None:
        items = items.filter(committee_id=committee)
    if owner is not None:
        items = items.filter(owner_id=owner)
    if overdue:
        items = items.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=date.today())
    return [_action_out(item) for item in items.order_by("owner__name", "due_date")]


@router.post("/actions", response={201: ActionOut}, summary="Add an action (ICP managers of its ICP)")
def create_action(request: HttpRequest, payload: ActionIn) -> Status[dict[str, object]]:
    committee = get_object_or_404(Committee, pk=payload.committee_id)
    meeting = get_object_or_404(Meeting, pk=payload.meeting_id) if payload.meeting_id else None
    item = meeting_actions.add_action_item(
        committee=committee,
        meeting=meeting,
        description=payload.description,
        owner=get_object_or_404(Person, pk=payload.owner_id),
        due_date=payload.due_date,
        by=_user(request),
    )
    return Status(201, _action_out(item))


@router.post("/actions/{action_id}/status", response=ActionOut, summary="Update an action's status")
def update_action(request: HttpRequest, action_id: int, payload: ActionStatusIn) -> dict[str, object]:
    item = get_object_or_404(ActionItem.objects.select_related("committee__area", "owner"), pk=action_id)
    meeting_actions.update_action_item(
        action_item=item, status=payload.status, progress_note=payload.progress_note, by=_user(request)
    )
    return _action_out(item)

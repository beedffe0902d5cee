"""JSON API for MDTs (mounted under /api/care/): the user's MDTs, an MDT's meetings, a meeting with
its attendance and the cases the access decision lets the user see, and listing a person for an MDT.

Reads go through `queries` (member organisations only, each case through the access decision, the
view audited); the change is the `actions.list_for_mdt` action (which asks the access decision).
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from icp.audit.events import EventType
from icp.care.mdt import actions, queries
from icp.care.mdt.models import CaseSource, MdtCase, MdtMeeting
from icp.care.models import MdtList
from icp.partnership.models import User
from icp.patients.models import PatientIndex

router = Router(tags=["care: MDTs"])


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, "Log in first.")
    return user


class MeetingSummaryOut(Schema):
    id: str
    starts_at: datetime
    location: str
    virtual_link: str


class MdtListOut(Schema):
    id: int
    name: str
    icp: str
    members: list[str]
    next_meeting: MeetingSummaryOut | None


def _meeting_summary(meeting: MdtMeeting) -> MeetingSummaryOut:
    return MeetingSummaryOut(
        id=meeting.public_id,
        starts_at=meeting.starts_at,
        location=meeting.location,
        virtual_link=meeting.virtual_link,
    )


def _list_out(mdt_list: MdtList) -> MdtListOut:
    coming = actions.next_meeting(mdt_list)
    return MdtListOut(
        id=mdt_list.pk,
        name=mdt_list.name,
        icp=mdt_list.icp.code,
        members=sorted(mdt_list.members.values_list("code", flat=True)),
        next_meeting=_meeting_summary(coming) if coming else None,
    )


@router.get("/mdt-lists", response=list[MdtListOut], summary="The MDTs your organisation is a member of")
def mdt_lists(request: HttpRequest) -> list[MdtListOut]:
    return [_list_out(m) for m in queries.lists_of(_user(request)).select_related("icp")]


@router.get("/mdt-lists/{list_id}/meetings", response=list[MeetingSummaryOut], summary="An MDT's meetings")
def meetings(request: HttpRequest, list_id: int) -> list[MeetingSummaryOut]:
    mdt_list = queries.member_list(_user(request), list_id, EventType.MDT_LIST_VIEW)
    return [_meeting_summary(m) for m in mdt_list.meetings.all()[:100]]


class AttendanceOut(Schema):
    name: str
    organisation: str
    role: str
    virtual: bool


class MdtActionOut(Schema):
    id: str
    description: str
    owner: str
    due_on: date
    done_on: date | None
    overdue: bool


class MdtCaseOut(Schema):
    id: str
    patient_id: str
    patient_name: str
    source: str
    carried_from_meeting: str | None
    discussed: bool
    discussion: str
    outcome: str
    actions: list[MdtActionOut]


class MeetingOut(MeetingSummaryOut):
    mdt_list: int
    attendance: list[AttendanceOut]
    cases: list[MdtCaseOut]
    hidden_cases: int


def _case_out(case: MdtCase, today: date) -> MdtCaseOut:
    patient = case.patient
    carried = case.carried_from.meeting.public_id if case.carried_from else None
    return MdtCaseOut(
        id=case.public_id,
        patient_id=patient.patient_id,
        patient_name=f"{patient.given_name} {patient.family_name}".strip(),
        source=case.source,
        carried_from_meeting=carried,
        discussed=case.discussed,
        discussion=case.discussion,
        outcome=case.outcome,
        actions=[
            MdtActionOut(
                id=action.public_id,
                description=action.description,
                owner=action.owner_organisation.code,
                due_on=action.due_on,
                done_on=action.done_on,
                overdue=action.done_on is None and action.due_on < today,
            )
            for action in case.actions.all()
        ],
    )


@router.get("/mdt-meetings/{meeting_id}", response=MeetingOut, summary="A meeting: attendance and case list")
def meeting(request: HttpRequest, meeting_id: str) -> MeetingOut:
    user = _user(request)
    found = queries.member_meeting(user, meeting_id, EventType.MDT_MEETING_VIEW)
    seen = queries.readable_cases(user, found)
    today = timezone.localdate()
    return MeetingOut(
        **_meeting_summary(found).dict(),
        mdt_list=found.mdt_list.pk,
        attendance=[
            AttendanceOut(name=a.name, organisation=a.organisation.code, role=a.role, virtual=a.virtual)
            for a in found.attendance.select_related("organisation")
        ],
        cases=[_case_out(case, today) for case in seen.cases],
        hidden_cases=seen.hidden,
    )


class ListPersonIn(Schema):
    patient_id: str
    from_worklist: bool = False


class ListedOut(Schema):
    listed_on: str  # "meeting": on the next meeting's case list; "list": on the MDT's list
    meeting: str | None
    case: str | None


@router.post(
    "/mdt-lists/{list_id}/people",
    response={201: ListedOut},
    summary="List a person for an MDT (its next meeting, or its list when none is set)",
)
def list_person(request: HttpRequest, list_id: int, payload: ListPersonIn) -> Status[ListedOut]:
    user = _user(request)
    mdt_list = queries.member_list(user, list_id, EventType.MDT_LIST_ADD)
    patient = get_object_or_404(PatientIndex, patient_id=payload.patient_id[:64])
    source = CaseSource.WORKLIST if payload.from_worklist else CaseSource.BY_HAND
    listed = actions.list_for_mdt(mdt_list=mdt_list, patient=patient, by=user, source=source)
    if isinstance(listed, MdtCase):
        case = ListedOut(listed_on="meeting", meeting=listed.meeting.public_id, case=listed.public_id)
        return Status(201, case)
    return Status(201, ListedOut(listed_on="list", meeting=None, case=None))

"""MDT pages: an organisation's MDTs, an MDT's meetings (schedule one), a meeting (attendance, the
case list with discussion, outcome and actions), and listing people for an MDT from a person's page
or a worklist selection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.care.mdt import actions, queries
from icp.care.mdt.models import CaseSource, MdtAction, MdtCase, MdtMeeting
from icp.care.models import MdtList
from icp.inputs import InputError, date_time, posted_date, time_of_day, whole_number
from icp.partnership.models import Organisation, User
from icp.patients.models import PatientIndex


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


_member_list = queries.member_list


def _starts_at(data: Any) -> datetime:
    """When a meeting starts: the NHS date input and a time, or one date-time value (a script)."""
    if any(data.get(f"starts_at_{part}") for part in ("day", "month", "year")):
        day = posted_date(data, "starts_at", "The date")
        return datetime.combine(day, time_of_day(data.get("starts_at_time", ""), "The time"))
    return date_time(data.get("starts_at", ""), "The date and time")


@login_required
def mdt_lists(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(request, "care/mdt/lists.html", {"lists": queries.lists_of(user)})


@login_required
def mdt_list_page(request: HttpRequest, list_id: int) -> HttpResponse:
    user = _user(request)
    mdt_list = _member_list(user, list_id, EventType.MDT_LIST_VIEW)
    if request.method == "POST":
        try:
            starts_at = _starts_at(request.POST)
            if timezone.is_naive(starts_at):
                starts_at = timezone.make_aware(starts_at)
            meeting = actions.schedule_meeting(
                mdt_list=mdt_list,
                starts_at=starts_at,
                by=user,
                location=request.POST.get("location", ""),
                virtual_link=request.POST.get("virtual_link", ""),
            )
            return redirect("care:mdt-meeting", meeting_id=meeting.public_id)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except InputError as error:
            messages.error(request, str(error))
    return render(
        request,
        "care/mdt/list.html",
        {
            "mdt_list": mdt_list,
            "meetings": mdt_list.meetings.all()[:50],
            "members": mdt_list.members.order_by("name"),
        },
    )


@login_required
def meeting_page(request: HttpRequest, meeting_id: str) -> HttpResponse:
    user = _user(request)
    meeting = get_object_or_404(MdtMeeting.objects.select_related("mdt_list"), public_id=meeting_id[:32])
    _member_list(user, meeting.mdt_list.pk, EventType.MDT_MEETING_VIEW)
    seen = queries.readable_cases(user, meeting)
    return render(
        request,
        "care/mdt/meeting.html",
        {
            "meeting": meeting,
            "cases": seen.cases,
            "hidden": seen.hidden,
            "attendance": meeting.attendance.select_related("organisation"),
            "members": meeting.mdt_list.members.order_by("name"),
            "organisations": Organisation.objects.filter(areas_served=meeting.mdt_list.icp).order_by("name")[
                :300
            ],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def meeting_change(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """Attendance, discussion and outcome of a case, an action, an action done."""
    user = _user(request)
    meeting = get_object_or_404(MdtMeeting.objects.select_related("mdt_list"), public_id=meeting_id[:32])
    what = request.POST.get("what", "")
    try:
        if what == "attendance":
            actions.record_attendance(
                meeting=meeting,
                name=request.POST.get("name", ""),
                organisation=get_object_or_404(Organisation, code=request.POST.get("organisation", "")[:32]),
                role=request.POST.get("role", ""),
                virtual=request.POST.get("virtual") == "yes",
                by=user,
            )
        elif what == "discussion":
            case = get_object_or_404(MdtCase, meeting=meeting, public_id=request.POST.get("case", "")[:32])
            actions.record_discussion(
                case=case,
                discussion=request.POST.get("discussion", ""),
                outcome=request.POST.get("outcome", ""),
                by=user,
            )
        elif what == "action":
            case = get_object_or_404(MdtCase, meeting=meeting, public_id=request.POST.get("case", "")[:32])
            due_on = posted_date(request.POST, "due_on", "The due date")
            actions.add_action(
                case=case,
                description=request.POST.get("description", ""),
                owner_organisation=get_object_or_404(Organisation, code=request.POST.get("owner", "")[:32]),
                due_on=due_on,
                by=user,
            )
        elif what == "done":
            action = get_object_or_404(
                MdtAction, case__meeting=meeting, public_id=request.POST.get("action", "")[:32]
            )
            actions.complete_action(action=action, by=user)
        else:
            raise ValidationError({"what": "Unknown change."})
        messages.success(request, "Saved.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except InputError as error:
        messages.error(request, str(error))
    return redirect("care:mdt-meeting", meeting_id=meeting.public_id)


def _list_people(request: HttpRequest, user: User, patients: list[PatientIndex], source: str) -> list[str]:
    try:
        list_key = whole_number(request.POST.get("mdt_list", ""), "MDT list", minimum=1)
    except InputError:
        raise Http404("No such MDT list.") from None
    mdt_list = get_object_or_404(MdtList, pk=list_key)
    problems = []
    for patient in patients:
        try:
            actions.list_for_mdt(mdt_list=mdt_list, patient=patient, by=user, source=source)
        except ValidationError as error:
            problems.append(" ".join(error.messages))
    return problems


@login_required
@require_POST
def list_person(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = _user(request)
    patient = get_object_or_404(PatientIndex, patient_id=patient_id[:64])
    problems = _list_people(request, user, [patient], CaseSource.BY_HAND)
    if problems:
        messages.error(request, " ".join(problems))
    else:
        messages.success(request, "Listed for the MDT.")
    return redirect("care:person", patient_id=patient.patient_id)


@login_required
@require_POST
def list_selection(request: HttpRequest, code: str) -> HttpResponse:
    """List the people ticked on the practice's worklist for an MDT."""
    user = _user(request)
    ids = [i[:64] for i in request.POST.getlist("patient")][:200]
    patients = list(PatientIndex.objects.filter(patient_id__in=ids, practice__code=code))
    problems = _list_people(request, user, patients, CaseSource.WORKLIST)
    listed = len(patients) - len(problems)
    messages.success(request, f"Listed {listed} for the MDT.")
    for problem in problems:
        messages.error(request, problem)
    return redirect(request.POST.get("next") or f"/care/practice/{code}/worklist/")

"""Pages for committees and their meetings: agenda, papers, attendance, minutes, decisions, actions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.governance import forms
from icp.governance.access import can_edit_committee, can_view_committee
from icp.governance.meetings import actions as actions
from icp.governance.meetings.apologies import holds_seat, is_coming
from icp.governance.meetings.quorum import check_quorum, forecast_quorum, meeting_frequency, rule_for
from icp.governance.models import ActionItem, AgendaItem, Meeting, Paper
from icp.governance.vocab import OPEN_ACTION_STATUSES, AttendanceStatus, MeetingStatus, MinutesStatus
from icp.governance.web import acting_user, add_action_errors, done, form_page, require
from icp.partnership.models import Area, Committee, Person
from icp.partnership.roles import AreaLevel


def _members(committee: Committee, on: date) -> QuerySet[Person]:
    ids = [m.person_id for m in committee.memberships.all() if m.is_current(on)]
    return Person.objects.filter(pk__in=ids).order_by("name")


def overdue_by_owner(items: list[ActionItem]) -> list[tuple[Person, list[ActionItem]]]:
    grouped: dict[Person, list[ActionItem]] = defaultdict(list)
    for item in items:
        grouped[item.owner].append(item)
    return sorted(grouped.items(), key=lambda pair: pair[0].name)


def overdue_actions(committees: list[Committee], on: date | None = None) -> list[ActionItem]:
    return list(
        ActionItem.objects.filter(
            committee__in=committees, status__in=OPEN_ACTION_STATUSES, due_date__lt=on or date.today()
        ).select_related("owner", "committee", "meeting")
    )


@login_required
def committee_detail(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee.objects.select_related("area"), pk=committee_id)
    user = acting_user(request)
    require(
        can_view_committee(user, committee),
        "Only this committee's members and its ICP's managers can see it.",
    )
    overdue = overdue_actions([committee])
    context = {
        "committee": committee,
        "meetings": committee.meetings.order_by("-date"),
        "frequency": meeting_frequency(committee),
        "rule": rule_for(committee),
        "overdue_by_owner": overdue_by_owner(overdue),
        "open_actions": committee.action_items.filter(status__in=OPEN_ACTION_STATUSES).select_related(
            "owner"
        ),
        "can_edit": can_edit_committee(user, committee),
    }
    return render(request, "governance/committee.html", context)


def meeting_for(request: HttpRequest, meeting_id: int, *, edit: bool = False) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("committee__area"), pk=meeting_id)
    user = acting_user(request)
    require(
        can_view_committee(user, meeting.committee), "Only this committee's members can see its meetings."
    )
    if edit:
        require(
            can_edit_committee(user, meeting.committee), "Only the ICP's managers can change this meeting."
        )
    return meeting


def _meeting_context(meeting: Meeting) -> dict[str, object]:
    attendance = list(meeting.attendance.select_related("person", "deputy_for"))
    coming = is_coming(meeting)
    return {
        "coming": coming,
        "forecast": forecast_quorum(meeting) if coming else None,
        "meeting": meeting,
        "committee": meeting.committee,
        "agenda": meeting.agenda_items.prefetch_related("papers"),
        "attendance": attendance,
        "decisions": meeting.decisions.select_related("proposed_by", "seconded_by", "agenda_item"),
        "actions": meeting.action_items.select_related("owner"),
        "quorum": check_quorum(meeting) if attendance else None,
        "today": date.today(),
    }


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id)
    user = acting_user(request)
    context = _meeting_context(meeting)
    context["can_edit"] = can_edit_committee(user, meeting.committee)
    context["agenda_open"] = (
        context["can_edit"]
        and meeting.minutes_status != MinutesStatus.APPROVED
        and meeting.status != MeetingStatus.CANCELLED
    )
    seated = holds_seat(user, meeting)
    context["may_send_apologies"] = seated and context["coming"]
    context["my_apologies"] = seated and any(
        a.person_id == user.person_id and a.status == AttendanceStatus.APOLOGIES
        for a in meeting.attendance.all()
    )
    return render(request, "governance/meeting.html", context)


@login_required
def meeting_print(request: HttpRequest, meeting_id: int, document: str) -> HttpResponse:
    """The agenda pack or the minutes as a printable page (`.pdf` suffix: as a PDF)."""
    from icp.governance.meetings.pdf import agenda_pack_pdf, minutes_pdf

    meeting = meeting_for(request, meeting_id)
    as_pdf = document.endswith(".pdf")
    kind = document.removesuffix(".pdf")
    if kind not in ("agenda", "minutes"):
        return HttpResponse(status=404)
    if as_pdf:
        content = agenda_pack_pdf(meeting) if kind == "agenda" else minutes_pdf(meeting)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{kind}-{meeting.date:%Y-%m-%d}.pdf"'
        return response
    return render(request, f"governance/print_{kind}.html", _meeting_context(meeting))


@login_required
def download_paper(request: HttpRequest, paper_id: int) -> FileResponse:
    paper = get_object_or_404(
        Paper.objects.select_related("agenda_item__meeting__committee__area"), pk=paper_id
    )
    user = acting_user(request)
    committee = paper.agenda_item.meeting.committee
    if not can_view_committee(user, committee):
        raise deny(
            action=EventType.PAPER_DOWNLOAD,
            by=user,
            target=paper,
            reason="not a member",
            message="Only this committee's members can read its papers.",
        )
    record(action=EventType.PAPER_DOWNLOAD, actor=user, target=paper)
    response = FileResponse(
        paper.file.open("rb"),
        as_attachment=True,
        filename=paper.original_name,
        content_type=paper.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def meeting_new(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=committee_id)
    user = acting_user(request)
    require(can_edit_committee(user, committee), "Only the ICP's managers can schedule meetings.")
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.schedule_meeting(committee=committee, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Meeting scheduled.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:committee", args=[committee.pk])
    return form_page(request, form, heading=f"Schedule a meeting of {committee.name}", back_url=back)


@login_required
def agenda_item_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id, edit=True)
    form = forms.AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_agenda_item(meeting=meeting, by=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Agenda item added.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:meeting", args=[meeting.pk])
    return form_page(request, form, heading="Add an agenda item", back_url=back)


@login_required
def paper_upload(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=item_id)
    meeting = meeting_for(request, item.meeting_id, edit=True)
    form = forms.PaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.upload_paper(
                agenda_item=item,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                by=acting_user(request),
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            done(request, "Paper uploaded.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:meeting", args=[meeting.pk])
    return form_page(
        request, form, heading=f"Add a paper to “{item.title}”", back_url=back, submit_label="Upload"
    )


@login_required
def attendance_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id, edit=True)
    members = _members(meeting.committee, meeting.date)
    form = forms.AttendanceForm(request.POST or None, people=Person.objects.order_by("name"), members=members)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_attendance(meeting=meeting, by=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Attendance recorded.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:meeting", args=[meeting.pk])
    return form_page(request, form, heading="Record attendance", back_url=back)


@login_required
def minutes_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id, edit=True)
    form = forms.MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_minutes(meeting=meeting, text=form.cleaned_data["minutes"], by=acting_user(request))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Draft minutes saved.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:meeting", args=[meeting.pk])
    return form_page(request, form, heading="Write the minutes", back_url=back)


@require_POST
@login_required
def minutes_approve(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id, edit=True)
    try:
        result = actions.approve_minutes(meeting=meeting, by=acting_user(request))
    except ValidationError as error:
        done(request, " ".join(error.messages))
    else:
        done(request, f"Minutes approved. {result.explanation}.")
    return redirect("governance:meeting", meeting_id=meeting.pk)


@login_required
def decision_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id, edit=True)
    form = forms.DecisionForm(request.POST or None, members=_members(meeting.committee, meeting.date))
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_decision(meeting=meeting, by=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Decision recorded.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:meeting", args=[meeting.pk])
    return form_page(request, form, heading="Record a decision", back_url=back)


@login_required
def action_item_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id, edit=True)
    form = forms.ActionItemForm(request.POST or None, people=Person.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_action_item(
                committee=meeting.committee, meeting=meeting, by=acting_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Action added.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:meeting", args=[meeting.pk])
    return form_page(request, form, heading="Add an action", back_url=back)


@login_required
def action_item_update(request: HttpRequest, action_id: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("committee__area"), pk=action_id)
    user = acting_user(request)
    require(can_edit_committee(user, item.committee), "Only the ICP's managers can update actions.")
    form = forms.ActionUpdateForm(
        request.POST or None, initial={"status": item.status, "progress_note": item.progress_note}
    )
    if request.method == "POST" and form.is_valid():
        actions.update_action_item(action_item=item, by=user, **form.cleaned_data)
        done(request, "Action updated.")
        return redirect("governance:committee", committee_id=item.committee_id)
    back = reverse("governance:committee", args=[item.committee_id])
    return form_page(request, form, heading=f"Update the action: {item.description[:60]}", back_url=back)


@login_required
def quorum_rule_edit(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee.objects.select_related("area"), pk=committee_id)
    user = acting_user(request)
    require(can_edit_committee(user, committee), "Only the ICP's managers can change the quorum rule.")
    rule = rule_for(committee)
    initial = {
        "share_of_filled_seats": rule.share_of_filled_seats,
        "minimum_present": rule.minimum_present,
        "chair_or_vice_chair_required": rule.chair_or_vice_chair_required,
        "deputies_count": rule.deputies_count,
        "source": rule.source,
    }
    form = forms.QuorumRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.set_quorum_rule(committee=committee, by=user, **form.cleaned_data)
        done(request, "Quorum rule saved. It applies to minutes approved from now on.")
        return redirect("governance:committee", committee_id=committee.pk)
    back = reverse("governance:committee", args=[committee.pk])
    return form_page(request, form, heading=f"Quorum rule of {committee.name}", back_url=back)


@login_required
def icp_overdue_actions(request: HttpRequest, code: str) -> HttpResponse:
    """Overdue actions of an ICP's committees, listed per committee and per owner."""
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    user = acting_user(request)
    committees = [c for c in icp.committees.select_related("area") if can_view_committee(user, c)]
    require(bool(committees), "Only this ICP's committee members and managers can see its actions.")
    overdue = sorted(overdue_actions(committees), key=lambda a: (a.committee.name, a.due_date))
    by_committee: dict[Committee, list[ActionItem]] = defaultdict(list)
    for item in overdue:
        by_committee[item.committee].append(item)
    context = {
        "icp": icp,
        "by_committee": sorted(by_committee.items(), key=lambda pair: pair[0].name),
        "by_owner": overdue_by_owner(overdue),
        "count": len(overdue),
        "today": date.today(),
    }
    return render(request, "governance/overdue.html", context)

"""Pages that build a meeting's agenda (standard items, edit, move, remove) and take members' apologies.

Every change is a POST with the CSRF token, and goes through an action (`agenda.py`,
`apologies.py`). A refusal the action raises as ValidationError comes back as a message on the
meeting page or as errors on the form (HTTP 400), never as a server error.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icp.governance import forms
from icp.governance.meetings import agenda, apologies
from icp.governance.meetings.views import meeting_for
from icp.governance.models import AgendaItem
from icp.governance.web import acting_user, add_action_errors, done, form_page


def _item_for(request: HttpRequest, item_id: int) -> AgendaItem:
    """The agenda item, once the user is known to be a manager of its meeting's ICP (403 otherwise)."""
    item = get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=item_id)
    item.meeting = meeting_for(request, item.meeting_id, edit=True)
    return item


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _back_to_agenda(meeting_id: int) -> HttpResponse:
    return redirect(reverse("governance:meeting", args=[meeting_id]) + "#agenda")


@require_POST
@login_required
def standard_agenda(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id, edit=True)
    try:
        added = agenda.add_standard_agenda(meeting=meeting, by=acting_user(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        done(request, f"Standard items added at the top of the agenda: {', '.join(i.title for i in added)}.")
    return _back_to_agenda(meeting.pk)


@login_required
def agenda_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_for(request, item_id)
    initial = {
        "title": item.title,
        "purpose": item.purpose,
        "presenter": item.presenter,
        "summary": item.summary,
    }
    form = forms.AgendaItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agenda.update_agenda_item(agenda_item=item, by=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, f"Agenda item {item.number} saved.")
            return _back_to_agenda(item.meeting_id)
    back = reverse("governance:meeting", args=[item.meeting_id])
    return form_page(request, form, heading=f"Change agenda item {item.number}", back_url=back)


@require_POST
@login_required
def agenda_item_move(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_for(request, item_id)
    direction = request.POST.get("direction", "")
    try:
        if direction not in ("up", "down"):
            raise ValidationError(f"Move “{item.title}” up or down: {direction!r} is neither.")
        agenda.move_agenda_item(agenda_item=item, direction=direction, by=acting_user(request))  # type: ignore[arg-type]
    except ValidationError as error:
        _refused(request, error)
    else:
        done(request, f"“{item.title}” moved {direction}: it is now item {item.number}.")
    return _back_to_agenda(item.meeting_id)


@login_required
def agenda_item_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    """GET asks to confirm (naming the papers that go with the item); POST removes it."""
    item = _item_for(request, item_id)
    if request.method == "POST":
        try:
            agenda.remove_agenda_item(agenda_item=item, by=acting_user(request))
        except ValidationError as error:
            _refused(request, error)
        else:
            done(request, f"“{item.title}” removed from the agenda.")
        return _back_to_agenda(item.meeting_id)
    context = {"item": item, "meeting": item.meeting, "papers": list(item.papers.all())}
    return render(request, "governance/agenda_item_remove.html", context)


@login_required
def apologies_send(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id)
    form = forms.ApologiesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            apologies.send_apologies(meeting=meeting, by=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Your apologies have been sent. The committee will see them on the meeting page.")
            return redirect("governance:meeting", meeting_id=meeting.pk)
    back = reverse("governance:meeting", args=[meeting.pk])
    return form_page(
        request,
        form,
        heading=f"Send your apologies for {meeting.date:%-d %B %Y}",
        intro="Let the committee know you cannot come, so it can check it will be quorate.",
        back_url=back,
        submit_label="Send apologies",
    )


@require_POST
@login_required
def apologies_withdraw(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, meeting_id)
    try:
        apologies.withdraw_apologies(meeting=meeting, by=acting_user(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        done(request, "Your apologies have been withdrawn: you are expected at the meeting.")
    return redirect("governance:meeting", meeting_id=meeting.pk)

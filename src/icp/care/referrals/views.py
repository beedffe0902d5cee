"""Referral pages: an organisation's inbox and outbox, one referral with the moves its user may
make, the refer form from a person's page, and the services directory.

Reads go through `queries` (the access decision's referral basis, audited); the refer form first
asks the access decision (through the action); every change is an action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.care.access import care_purpose, require_care_access
from icp.care.referrals import actions, queries
from icp.care.referrals.clocks import clock
from icp.care.referrals.directory import search_services
from icp.care.referrals.models import Need, Priority, Referral, Service, ServiceType
from icp.care.referrals.states import Party, TaskStatus, targets
from icp.inputs import InputError, whole_number
from icp.partnership.models import User
from icp.patients.models import PatientIndex
from icp.sharing.banner import patient_banner

# What a button for each move says, from the point of view of the user pressing it.
MOVE_LABELS = {
    TaskStatus.REQUESTED: "Send the referral",
    TaskStatus.ACCEPTED: "Accept",
    TaskStatus.REJECTED: "Reject",
    TaskStatus.IN_PROGRESS: "Start work",
    TaskStatus.ON_HOLD: "Put on hold",
    TaskStatus.COMPLETED: "Complete",
    TaskStatus.FAILED: "Could not complete",
    TaskStatus.CANCELLED: "Cancel the referral",
    TaskStatus.ENTERED_IN_ERROR: "Entered in error",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _icp(user: User) -> Any:
    return user.home_area.icp() if user.home_area_id and user.home_area else None


def _rows(referrals: list[Referral]) -> list[tuple[Referral, Any]]:
    now = timezone.now()
    return [(referral, clock(referral, now)) for referral in referrals]


def _box(request: HttpRequest, which: str) -> HttpResponse:
    user = _user(request)
    if care_purpose(user) is None or user.organisation_id is None:
        raise PermissionDenied("Only care staff of a partner organisation have a referral inbox.")
    status = request.GET.get("status", "")
    rows = queries.box(user, which)
    if status in TaskStatus.__members__.values():
        rows = rows.filter(status=status)
    found = queries.shown(user, list(rows[:200]), EventType.REFERRAL_LIST, box=which)
    rows_with_clocks = _rows(found)
    return render(
        request,
        "care/referrals/box.html",
        {
            "which": which,
            "rows": rows_with_clocks,
            "breaches": sum(1 for _r, c in rows_with_clocks if c.breached),
            "statuses": [s.value for s in TaskStatus],
            "status": status,
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _box(request, "inbox")


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    return _box(request, "outbox")


@login_required
def detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = _user(request)
    referral, party = queries.read(user, referral_id)
    moves = [(t.value, MOVE_LABELS[t]) for t in targets(referral.task_status, party)]
    icp = _icp(user)
    reroute_to = (
        search_services(icp=icp)
        .exclude(pk__in=[referral.service_id])
        .exclude(organisation__in=[user.organisation])
        if party == Party.REQUESTER
        and referral.status == TaskStatus.REJECTED
        and not referral.replaced_by.exists()
        else []
    )
    return render(
        request,
        "care/referrals/detail.html",
        {
            "referral": referral,
            "party": party.value,
            "moves": moves,
            "clock": clock(referral, timezone.now()),
            "reroute_to": reroute_to,
            "history": referral.replaced_by.all(),
        },
    )


def _version(text: str) -> int | None:
    """The version the form was made from; anything but a whole number means 'not given'."""
    try:
        return whole_number(text, "version") if text else None
    except InputError:
        return None


@login_required
@require_POST
def move(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = _user(request)
    referral = get_object_or_404(Referral, public_id=referral_id[:32])
    version = request.POST.get("version", "")
    try:
        actions.move_referral(
            referral=referral,
            to_status=request.POST.get("status", ""),
            by=user,
            reason=request.POST.get("reason", ""),
            output=request.POST.get("output", ""),
            expected_version=_version(version),
        )
        messages.success(request, f"The referral is now {referral.status.replace('-', ' ')}.")
    except actions.VersionConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("care:referral", referral_id=referral.public_id)


@login_required
@require_POST
def reroute(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = _user(request)
    referral = get_object_or_404(Referral, public_id=referral_id[:32])
    service = get_object_or_404(Service, public_id=request.POST.get("service", "")[:32])
    try:
        new = actions.reroute_referral(
            referral=referral, to_service=service, by=user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:referral", referral_id=referral.public_id)
    messages.success(request, f"Re-routed to {service.name}.")
    return redirect("care:referral", referral_id=new.public_id)


@login_required
def refer(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Refer a person: choose a service from the directory (by need), say why, send."""
    user = _user(request)
    patient = get_object_or_404(PatientIndex, patient_id=patient_id[:64])
    decision = require_care_access(user, patient, EventType.REFERRAL_CREATE)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        service = Service.objects.filter(public_id=request.POST.get("service", "")[:32]).first()
        if service is None:
            errors = {"service": ["Choose a service."]}
        else:
            try:
                referral = actions.create_referral(
                    patient=patient,
                    service=service,
                    reason=request.POST.get("reason", ""),
                    by=user,
                    needs=request.POST.getlist("needs"),
                    priority=request.POST.get("priority", Priority.ROUTINE),
                    note=request.POST.get("note", ""),
                    submit=request.POST.get("submit") != "draft",
                )
                messages.success(request, f"Referred to {service.name}.")
                return redirect("care:referral", referral_id=referral.public_id)
            except ValidationError as error:
                errors = error.message_dict
    need = request.GET.get("need", "")
    services = search_services(need=need, text=request.GET.get("q", ""), icp=_icp(user)).exclude(
        organisation__in=[user.organisation]
    )
    return render(
        request,
        "care/referrals/refer.html",
        {
            "patient": patient,
            "banner": patient_banner(user, patient, [decision], page="care:refer"),
            "services": services.filter(accepts_referrals=True)[:50],
            "needs": Need.choices,
            "need": need,
            "priorities": Priority.choices,
            "errors": errors,
            "posted": request.POST,
        },
        status=422 if errors else 200,
    )


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    need, service_type, text = (
        request.GET.get("need", ""),
        request.GET.get("type", ""),
        request.GET.get("q", ""),
    )
    services = list(search_services(need=need, service_type=service_type, text=text, icp=_icp(user))[:200])
    return render(
        request,
        "care/referrals/directory.html",
        {
            "services": services,
            "needs": Need.choices,
            "types": ServiceType.choices,
            "need": need,
            "type": service_type,
            "q": text,
            "need_labels": dict(Need.choices),
        },
    )

"""Emergency-response list pages: the lists of the user's ICP (build one), and one list with its
people, the reasons, outreach contacts and referral from a contact. Each person shown passed the
access decision for the purpose the user works the list for; each view is one audit event."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import refuse
from icp.care.emergency import actions
from icp.care.emergency.models import EmergencyList, EmergencyListEntry
from icp.care.referrals.directory import search_services
from icp.care.referrals.models import Need, Service, ServiceType
from icp.partnership.models import Organisation, User
from icp.partnership.roles import OrganisationType
from icp.sharing.actions import can_govern
from icp.sharing.policy import evaluate_many
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import DataCategory, Purpose


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    icp = user.home_area.icp() if user.home_area_id and user.home_area else None
    if icp is None:
        raise refuse(user, EventType.EMERGENCY_LIST_VIEW, "Your account works for no ICP.")
    governs = can_govern(user, icp)
    if request.method == "POST" and governs:
        hub = Organisation.objects.filter(code=request.POST.get("hub", "")[:32]).first()
        try:
            built = actions.build_emergency_list(
                icp=icp,
                name=request.POST.get("name", ""),
                criteria=request.POST.getlist("criteria"),
                hub=hub,
                by=user,
            )
            messages.success(request, f"Built {built.name}: {built.entries.count()} people.")
            return redirect("care:emergency-lists")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    rows = EmergencyList.objects.filter(icp=icp).select_related("hub")
    if not governs and Purpose.EMERGENCY not in purposes_for(user.role):
        rows = rows.filter(hub_id=user.organisation_id) if user.organisation_id else rows.none()
    return render(
        request,
        "care/emergency/lists.html",
        {
            "icp": icp,
            "lists": rows,
            "governs": governs,
            "criteria": [(key, label) for key, (label, _c) in actions.CRITERIA.items()],
            "hubs": Organisation.objects.filter(
                areas_served=icp,
                type__in=[OrganisationType.COMMUNITY_SUPPORT_HUB, OrganisationType.VOLUNTARY_ORGANISATION],
            ).order_by("name"),
        },
    )


@login_required
def list_page(request: HttpRequest, list_id: str) -> HttpResponse:
    user = _user(request)
    emergency_list = get_object_or_404(
        EmergencyList.objects.select_related("icp", "hub"), public_id=list_id[:32]
    )
    purpose = actions.list_purpose(user)
    worked_here = emergency_list.hub_id is None or user.organisation_id == emergency_list.hub_id
    if purpose is None or not (worked_here or purpose == Purpose.EMERGENCY):
        raise refuse(
            user,
            EventType.EMERGENCY_LIST_VIEW,
            "This list is for its hub and emergency responders.",
            target=emergency_list,
        )
    shown, hidden = [], 0
    entries = (
        emergency_list.entries.filter(removed_on__isnull=True)
        .select_related("patient")
        .prefetch_related("contacts")
    )
    for entry in entries[:500]:
        _found, decisions = evaluate_many(user, entry.patient, purpose, [DataCategory.DEMOGRAPHICS])
        if decisions[DataCategory.DEMOGRAPHICS].allowed:
            shown.append(entry)
        else:
            hidden += 1
    record(
        action=EventType.EMERGENCY_LIST_VIEW,
        actor=user,
        target_type="care.emergencylist",
        target_id=emergency_list.public_id,
        purpose=purpose,
        detail={"shown": [e.patient.patient_id for e in shown], "hidden_by_access_decision": hidden},
    )
    services = search_services(icp=emergency_list.icp).filter(
        type__in=[
            ServiceType.COMMUNITY_SUPPORT_HUB,
            ServiceType.VOLUNTARY_SUPPORT,
            ServiceType.SOCIAL_PRESCRIBING,
        ]
    )
    return render(
        request,
        "care/emergency/list.html",
        {
            "emergency_list": emergency_list,
            "entries": shown,
            "hidden": hidden,
            "needs": Need.choices,
            "services": services,
        },
    )


@login_required
@require_POST
def outreach(request: HttpRequest, list_id: str, entry_id: int) -> HttpResponse:
    user = _user(request)
    entry = get_object_or_404(
        EmergencyListEntry.objects.select_related("patient", "emergency_list"),
        pk=entry_id,
        emergency_list__public_id=list_id[:32],
    )
    try:
        contact = actions.record_outreach(
            entry=entry,
            reached=request.POST.get("reached") == "yes",
            needs=request.POST.getlist("needs"),
            note=request.POST.get("note", ""),
            by=user,
        )
        service_id = request.POST.get("service", "")
        if service_id:
            referral = actions.refer_from_contact(
                contact=contact, service=get_object_or_404(Service, public_id=service_id[:32]), by=user
            )
            messages.success(request, f"Contact logged and referred to {referral.service_name}.")
        else:
            messages.success(request, "Contact logged.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("care:emergency-list", list_id=entry.emergency_list.public_id)

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

from icp.care.emergency import actions, queries
from icp.care.emergency.models import EmergencyList, EmergencyListEntry
from icp.care.referrals.directory import search_services
from icp.care.referrals.models import Need, Service, ServiceType
from icp.partnership.models import Organisation, User
from icp.partnership.roles import OrganisationType


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    seen = queries.lists_for(user)
    icp, governs = seen.icp, seen.governs
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
    return render(
        request,
        "care/emergency/lists.html",
        {
            "icp": icp,
            "lists": seen.lists,
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
    seen = queries.readable_entries(user, emergency_list)
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
            "entries": seen.shown,
            "hidden": seen.hidden,
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

"""Pages for ECHO learning networks: totals per network and over a chosen period; an ICP manager
adds their ICP's own networks and records sessions (through the actions in `actions.py`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from icp.governance.echo import actions
from icp.governance.echo.totals import echo_totals, network_totals
from icp.governance.forms import EchoNetworkForm, EchoSessionForm, PeriodForm
from icp.governance.models import EchoNetwork
from icp.governance.web import acting_user, add_action_errors, done, form_page, require
from icp.partnership.models import Area, User, home_icp
from icp.partnership.roles import UserRole


def _own_icp(user: User) -> Area | None:
    """The ICP whose own networks this user may add: an ICP manager's home ICP."""
    icp = home_icp(user)
    return icp if icp is not None and user.role == UserRole.ICP_MANAGER else None


@login_required
def network_list(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    totals = echo_totals(start, end)
    context = {"totals": totals, "form": form, "own_icp": _own_icp(acting_user(request))}
    return render(request, "governance/echo_list.html", context)


@login_required
def network_detail(request: HttpRequest, network_id: int) -> HttpResponse:
    network = get_object_or_404(EchoNetwork.objects.select_related("area"), pk=network_id)
    context = {
        "network": network,
        "totals": network_totals(network),
        "aggregates": network.aggregates.all(),
        "sessions": network.sessions.prefetch_related("attendance__person"),
        "can_edit": actions.can_edit_network_area(acting_user(request), network.area),
    }
    return render(request, "governance/echo_network.html", context)


@login_required
def network_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    icp = _own_icp(user)
    require(icp is not None, "Only an ICP manager can add a learning network for their ICP.")
    assert icp is not None
    form = EchoNetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            network = actions.create_network(by=user, area=icp, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, f"Learning network “{network.name}” added for {icp.name}.")
            return redirect("governance:echo-network", network_id=network.pk)
    return form_page(
        request,
        form,
        heading=f"Add a learning network for {icp.name}",
        intro="A network your ICP runs itself. Its sessions are added on its page.",
        back_url=reverse("governance:echo"),
        submit_label="Add the network",
    )


@login_required
def session_new(request: HttpRequest, network_id: int) -> HttpResponse:
    network = get_object_or_404(EchoNetwork.objects.select_related("area"), pk=network_id)
    user = acting_user(request)
    require(
        actions.can_edit_network_area(user, network.area),
        f"Only an ICP manager within {network.area or 'the region'} can add sessions to this network.",
    )
    form = EchoSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_session(network=network, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Session added.")
            return redirect("governance:echo-network", network_id=network.pk)
    return form_page(
        request,
        form,
        heading=f"Add a session to {network.name}",
        back_url=reverse("governance:echo-network", args=[network.pk]),
        submit_label="Add the session",
    )

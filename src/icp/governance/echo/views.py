"""Pages for ECHO learning networks: totals per network and over a chosen period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from icp.governance.echo.totals import echo_totals, network_totals
from icp.governance.forms import PeriodForm
from icp.governance.models import EchoNetwork


@login_required
def network_list(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    totals = echo_totals(start, end)
    return render(request, "governance/echo_list.html", {"totals": totals, "form": form})


@login_required
def network_detail(request: HttpRequest, network_id: int) -> HttpResponse:
    network = get_object_or_404(EchoNetwork, pk=network_id)
    context = {
        "network": network,
        "totals": network_totals(network),
        "aggregates": network.aggregates.all(),
        "sessions": network.sessions.prefetch_related("attendance__person"),
    }
    return render(request, "governance/echo_network.html", context)

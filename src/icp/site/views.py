"""Each role's home (`/`: where `icp.site.homes` says the user lands), the partnership page of an
ICP (its areas, practices, committee, meetings, plan and caseloads) and the health check that a
container or load balancer polls."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from icp.care.registered_population import population_summary
from icp.partnership.composition import check_composition
from icp.partnership.models import Area, User, home_icp
from icp.partnership.roles import AreaLevel
from icp.site.homes import home_context, home_kind, landing, manager_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's home: a page that already is their day's work, or a summary of it with links."""
    user = request.user
    assert isinstance(user, User)
    page = landing(user)
    if page is not None:
        return redirect(page)
    kind = home_kind(user)
    if kind == "other" and home_icp(user) is None:
        icps = (
            Area.objects.filter(level=AreaLevel.ICP).select_related("parent").order_by("parent__code", "name")
        )
        return render(request, "site/choose_icp.html", {"icps": icps})
    return render(request, "site/home.html", home_context(user, kind))


@login_required
def partnership_home(request: HttpRequest, code: str) -> HttpResponse:
    icp = get_object_or_404(Area.objects.select_related("parent"), code=code, level=AreaLevel.ICP)
    user = request.user
    assert isinstance(user, User)
    practices = icp.practices.order_by("name")
    committees = [(c, check_composition(c)) for c in icp.committees.select_related("template")]
    context = {
        "icp": icp,
        "lineage": list(reversed(icp.ancestors())),
        "sub_areas": icp.children.order_by("name"),
        "practices": practices,
        "registered_total": practices.aggregate(total=Sum("list_size"))["total"] or 0,
        "committees": committees,
        "partner_count": icp.organisations.exclude(type="gp_practice").count(),
        "partners": icp.organisations.exclude(type="gp_practice").order_by("type", "name"),
        "population": population_summary(icp),
        # The ICP's own managers land here: their partnership's day comes first.
        "manager_cards": manager_cards(icp, timezone.localdate()) if user.is_icp_manager_for(icp) else [],
    }
    return render(request, "site/icp_home.html", context)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """`GET /health`: 200 when this worker can reach the database, 503 otherwise. No login, no data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})

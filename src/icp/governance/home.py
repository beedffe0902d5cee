"""The governance home of an ICP and the plain-language guide for lay members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from icp.governance.access import (
    can_edit_icp,
    can_view_committee,
    commissioning_body_for,
    is_member_of_icp_committee,
    is_reviewer_for,
)
from icp.governance.meetings.quorum import meeting_frequency
from icp.governance.meetings.views import overdue_actions, overdue_by_owner
from icp.governance.models import AnnualPlan, BusinessCase, Meeting, Project, Strategy
from icp.governance.plans.progress import current_plan_year, progress
from icp.governance.vocab import CaseStatus, MeetingStatus
from icp.governance.web import acting_user
from icp.partnership.models import Area, home_icp
from icp.partnership.roles import AreaLevel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    icp = home_icp(acting_user(request))
    if icp is not None:
        return redirect("governance:icp", code=icp.code)
    icps = Area.objects.filter(level=AreaLevel.ICP).select_related("parent").order_by("parent__name", "name")
    return render(request, "governance/choose.html", {"icps": icps})


@login_required
def icp_governance(request: HttpRequest, code: str) -> HttpResponse:
    icp = get_object_or_404(Area.objects.select_related("parent"), code=code, level=AreaLevel.ICP)
    user = acting_user(request)
    visible = [c for c in icp.committees.all() if can_view_committee(user, c)]
    committees = [(c, meeting_frequency(c)) for c in visible]
    upcoming = Meeting.objects.filter(committee__in=visible, status=MeetingStatus.SCHEDULED).order_by("date")[
        :5
    ]
    overdue = overdue_actions(visible)
    plan = AnnualPlan.objects.filter(icp=icp, year_starting=current_plan_year()).first()
    body = commissioning_body_for(icp)
    sees_cases = user.is_icp_manager_for(icp) or is_member_of_icp_committee(user, icp)
    cases = BusinessCase.objects.filter(icp=icp) if sees_cases else BusinessCase.objects.none()
    context = {
        "icp": icp,
        "committees": committees,
        "upcoming": upcoming,
        "overdue_by_owner": overdue_by_owner(overdue),
        "overdue_count": len(overdue),
        "plan": plan,
        "plan_progress": progress(plan) if plan else None,
        "cases": cases,
        "open_cases": cases.exclude(status__in=[CaseStatus.CLOSED, CaseStatus.NOT_APPROVED]).count(),
        "sees_cases": sees_cases,
        "body": body,
        "is_reviewer": is_reviewer_for(user, body),
        "projects": Project.objects.filter(sites__icp=icp).distinct(),
        "strategies": Strategy.objects.filter(area__in=[icp, *icp.ancestors()]),
        "can_edit": can_edit_icp(user, icp),
    }
    return render(request, "governance/icp.html", context)


@login_required
def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/guide.html")

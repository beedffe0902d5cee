"""Pages for annual plans (with flags and the area roll-up), strategies, projects and their spread."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from icp.governance import forms
from icp.governance.access import can_edit_icp
from icp.governance.models import AnnualPlan, BusinessCase, Milestone, Objective, Project, Strategy
from icp.governance.plans import actions as actions
from icp.governance.plans.progress import area_rollup, current_plan_year, icps_within, progress
from icp.governance.vocab import CaseStatus
from icp.governance.web import acting_user, add_action_errors, done, form_page, require
from icp.partnership.models import Area, Organisation, home_icp
from icp.partnership.roles import AreaLevel


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(AnnualPlan.objects.select_related("icp__parent"), pk=plan_id)
    today = date.today()
    objectives = []
    for objective in plan.objectives.prefetch_related("milestones__owner", "milestones__updates"):
        milestones = [(m, m.is_overdue(today), m.is_at_risk(today)) for m in objective.milestones.all()]
        objectives.append((objective, milestones))
    context = {
        "plan": plan,
        "objectives": objectives,
        "progress": progress(plan, today),
        "can_edit": can_edit_icp(acting_user(request), plan.icp),
    }
    return render(request, "governance/plan.html", context)


@login_required
def milestone_update(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("objective__plan__icp"), pk=milestone_id)
    user = acting_user(request)
    plan = milestone.objective.plan
    require(can_edit_icp(user, plan.icp), "Only this ICP's managers can update its plan.")
    form = forms.MilestoneUpdateForm(request.POST or None, initial={"rag": milestone.rag})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_milestone(milestone=milestone, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Progress recorded.")
            return redirect("governance:plan", plan_id=plan.pk)
    back = reverse("governance:plan", args=[plan.pk])
    return form_page(request, form, heading=f"Update progress: {milestone.title}", back_url=back)


@login_required
def plan_rollup(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=code)
    try:
        year = int(request.GET.get("year", current_plan_year()))
    except ValueError:
        year = current_plan_year()
    rollup = area_rollup(area, year_starting=year)
    return render(request, "governance/rollup.html", {"rollup": rollup, "area": area, "year": year})


@login_required
def strategy_detail(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy = get_object_or_404(Strategy.objects.select_related("area"), pk=strategy_id)
    priorities = strategy.priorities.prefetch_related(
        "outcomes__indicators", "outcomes__projects", "outcomes__business_cases"
    )
    return render(request, "governance/strategy.html", {"strategy": strategy, "priorities": priorities})


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.select_related(
        "origin_icp", "lead_organisation", "business_case"
    ).prefetch_related("sites")
    return render(request, "governance/projects.html", {"projects": projects})


@login_required
def project_spread(request: HttpRequest) -> HttpResponse:
    """Every project against every ICP, grouped by area: where it started, where it was adopted."""
    region = Area.objects.filter(code="NI").first() or Area.objects.filter(level=AreaLevel.REGION).first()
    icps = icps_within(region) if region else list(Area.objects.filter(level=AreaLevel.ICP))
    icps.sort(key=lambda a: (a.parent.name if a.parent else "", a.name))
    projects = list(Project.objects.select_related("origin_icp").prefetch_related("sites"))
    grid = []
    for project in projects:
        sites = {site.icp_id: site for site in project.sites.all()}
        grid.append((project, [sites.get(icp.pk) for icp in icps], len(sites)))
    context = {"icps": icps, "grid": grid, "icp_count": len(icps)}
    return render(request, "governance/spread.html", context)


@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(
        Project.objects.select_related("origin_icp", "lead_organisation", "business_case"), pk=project_id
    )
    user = acting_user(request)
    mine = home_icp(user)
    benefits = []
    if project.business_case is not None:
        for benefit in project.business_case.benefits.select_related("indicator").prefetch_related(
            "measurements"
        ):
            benefits.append((benefit, list(benefit.measurements.order_by("measured_on"))))
    context = {
        "project": project,
        "sites": project.sites.select_related("icp"),
        "benefits": benefits,
        "can_adopt": mine is not None
        and can_edit_icp(user, mine)
        and not project.sites.filter(icp=mine).exists(),
        "home_icp": mine,
    }
    return render(request, "governance/project.html", context)


@login_required
def project_adopt(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=project_id)
    user = acting_user(request)
    icp = home_icp(user)
    require(
        icp is not None and can_edit_icp(user, icp),
        "Only an ICP manager can record that their ICP adopted a project.",
    )
    assert icp is not None
    form = forms.AdoptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_adoption(project=project, icp=icp, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, f"Recorded: {icp.name} now runs {project.title}.")
            return redirect("governance:project", project_id=project.pk)
    back = reverse("governance:project", args=[project.pk])
    return form_page(request, form, heading=f"{icp.name} adopts “{project.title}”", back_url=back)


@login_required
def plan_new(request: HttpRequest, code: str) -> HttpResponse:
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    user = acting_user(request)
    require(can_edit_icp(user, icp), "Only this ICP's managers can write its plan.")
    form = forms.PlanForm(request.POST or None, initial={"year_starting": current_plan_year()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.create_plan(icp=icp, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Plan created. Add its objectives and milestones next.")
            return redirect("governance:plan", plan_id=plan.pk)
    back = reverse("governance:icp", args=[icp.code])
    return form_page(request, form, heading=f"New annual plan for {icp.name}", back_url=back)


@login_required
def objective_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(AnnualPlan.objects.select_related("icp"), pk=plan_id)
    user = acting_user(request)
    require(can_edit_icp(user, plan.icp), "Only this ICP's managers can change its plan.")
    form = forms.ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.add_objective(plan=plan, by=user, **form.cleaned_data)
        done(request, "Objective added.")
        return redirect("governance:plan", plan_id=plan.pk)
    return form_page(
        request, form, heading="Add an objective", back_url=reverse("governance:plan", args=[plan.pk])
    )


@login_required
def milestone_new(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = get_object_or_404(Objective.objects.select_related("plan__icp"), pk=objective_id)
    user = acting_user(request)
    require(can_edit_icp(user, objective.plan.icp), "Only this ICP's managers can change its plan.")
    form = forms.MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_milestone(objective=objective, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Milestone added.")
            return redirect("governance:plan", plan_id=objective.plan_id)
    back = reverse("governance:plan", args=[objective.plan_id])
    return form_page(request, form, heading=f"Add a milestone to “{objective.title}”", back_url=back)


@login_required
def project_new(request: HttpRequest, code: str) -> HttpResponse:
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    user = acting_user(request)
    require(can_edit_icp(user, icp), "Only this ICP's managers can start its projects.")
    implementable = [
        CaseStatus.APPROVED,
        CaseStatus.IN_IMPLEMENTATION,
        CaseStatus.EVALUATED,
        CaseStatus.CLOSED,
    ]
    form = forms.ProjectForm(
        request.POST or None,
        organisations=Organisation.objects.filter(areas_served=icp).order_by("name"),
        cases=BusinessCase.objects.filter(icp=icp, status__in=implementable),
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.create_project(origin_icp=icp, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, "Project started.")
            return redirect("governance:project", project_id=project.pk)
    back = reverse("governance:icp", args=[icp.code])
    return form_page(request, form, heading=f"Start a project in {icp.name}", back_url=back)

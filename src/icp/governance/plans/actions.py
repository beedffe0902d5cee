"""Actions on annual plans and milestones, projects and their adoption, and strategies."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.governance.access import require_icp_manager
from icp.governance.models import (
    AnnualPlan,
    BusinessCase,
    Indicator,
    Milestone,
    MilestoneUpdate,
    Objective,
    Project,
    ProjectSite,
    Strategy,
    StrategyOutcome,
    StrategyPriority,
)
from icp.governance.vocab import CaseStatus, ProjectStatus, Rag
from icp.partnership.models import Area, Organisation, Person, User, home_icp
from icp.partnership.roles import AreaLevel

# A project may implement a case only once the commissioning body has approved it.
_IMPLEMENTABLE = (CaseStatus.APPROVED, CaseStatus.IN_IMPLEMENTATION, CaseStatus.EVALUATED, CaseStatus.CLOSED)


def create_plan(
    *, icp: Area, year_starting: int, title: str, by: User, agreed_on: date | None = None
) -> AnnualPlan:
    if icp.level != AreaLevel.ICP:
        raise ValidationError({"icp": f"{icp} is not an ICP."})
    require_icp_manager(by, icp, EventType.PLAN_CREATE, icp)
    plan = AnnualPlan(icp=icp, year_starting=year_starting, title=title, agreed_on=agreed_on)
    plan.full_clean()
    with transaction.atomic():
        plan.save()
        record(
            action=EventType.PLAN_CREATE,
            actor=by,
            target=plan,
            detail={"icp": icp.code, "year": year_starting},
        )
    return plan


def add_objective(*, plan: AnnualPlan, title: str, by: User, priority_group: str = "") -> Objective:
    require_icp_manager(by, plan.icp, EventType.PLAN_OBJECTIVE, plan)
    with transaction.atomic():
        number = (plan.objectives.aggregate(last=Max("number"))["last"] or 0) + 1
        objective = Objective(plan=plan, number=number, title=title, priority_group=priority_group)
        objective.full_clean()
        objective.save()
        record(action=EventType.PLAN_OBJECTIVE, actor=by, target=objective, detail={"plan": plan.pk})
    return objective


def add_milestone(
    *, objective: Objective, title: str, owner: Person, due_date: date, by: User, rag: str = Rag.GREEN
) -> Milestone:
    require_icp_manager(by, objective.plan.icp, EventType.PLAN_MILESTONE, objective.plan)
    milestone = Milestone(objective=objective, title=title, owner=owner, due_date=due_date, rag=rag)
    milestone.full_clean()
    with transaction.atomic():
        milestone.save()
        record(
            action=EventType.PLAN_MILESTONE,
            actor=by,
            target=milestone,
            detail={"due_date": str(due_date), "rag": rag},
        )
    return milestone


def update_milestone(
    *, milestone: Milestone, rag: str, note: str, by: User, on: date | None = None
) -> Milestone:
    """Record progress: a note and the RAG status it sets (blue/complete records the completion date)."""
    plan = milestone.objective.plan
    require_icp_manager(by, plan.icp, EventType.PLAN_MILESTONE_UPDATE, milestone)
    if rag not in Rag.values:
        raise ValidationError({"rag": f"{rag!r}: expected one of {', '.join(Rag.values)}."})
    if not note.strip():
        raise ValidationError({"note": "Write a progress note with the update."})
    on = on or date.today()
    with transaction.atomic():
        MilestoneUpdate.objects.create(milestone=milestone, on=on, rag=rag, note=note, by=by)
        before = milestone.rag
        milestone.rag = rag
        milestone.completed_on = on if rag == Rag.COMPLETE else None
        milestone.save(update_fields=["rag", "completed_on"])
        record(
            action=EventType.PLAN_MILESTONE_UPDATE,
            actor=by,
            target=milestone,
            detail={"from": before, "to": rag},
        )
    return milestone


def create_project(
    *,
    title: str,
    origin_icp: Area,
    lead_organisation: Organisation,
    start_date: date,
    by: User,
    business_case: BusinessCase | None = None,
    summary: str = "",
    priority_group: str = "",
    status: str = ProjectStatus.RUNNING,
) -> Project:
    """Start a project in its origin ICP (recorded as its first site)."""
    require_icp_manager(by, origin_icp, EventType.PROJECT_CREATE, origin_icp)
    if business_case is not None:
        if business_case.status not in _IMPLEMENTABLE:
            raise ValidationError(
                {
                    "business_case": f"The case is {business_case.get_status_display().lower()}: "
                    "only an approved case can be implemented."
                }
            )
        if business_case.icp_id != origin_icp.pk:
            raise ValidationError({"business_case": "The case belongs to another ICP."})
    project = Project(
        title=title,
        origin_icp=origin_icp,
        lead_organisation=lead_organisation,
        start_date=start_date,
        business_case=business_case,
        summary=summary,
        priority_group=priority_group or (business_case.priority_group if business_case else ""),
        status=status,
    )
    project.full_clean()
    with transaction.atomic():
        project.save()
        ProjectSite.objects.create(
            project=project, icp=origin_icp, started_on=start_date, adopted=False, recorded_by=by
        )
        record(action=EventType.PROJECT_CREATE, actor=by, target=project, detail={"icp": origin_icp.code})
    return project


def record_adoption(
    *, project: Project, icp: Area, started_on: date, by: User, note: str = ""
) -> ProjectSite:
    """Record that another ICP has taken up the project. Its own managers record it."""
    if icp.level != AreaLevel.ICP:
        raise ValidationError({"icp": f"{icp} is not an ICP."})
    require_icp_manager(by, icp, EventType.PROJECT_ADOPT, project)
    if project.sites.filter(icp=icp).exists():
        raise ValidationError(f"{project} already runs in {icp}.")
    if started_on < project.start_date:
        raise ValidationError({"started_on": "An ICP cannot adopt a project before it started."})
    with transaction.atomic():
        site = ProjectSite.objects.create(
            project=project, icp=icp, started_on=started_on, adopted=True, note=note, recorded_by=by
        )
        record(
            action=EventType.PROJECT_ADOPT,
            actor=by,
            target=project,
            detail={"icp": icp.code, "started_on": str(started_on)},
        )
    return site


def _require_strategy_editor(by: User, area: Area, target: Any) -> None:
    """A strategy belongs to a system: superusers, or ICP managers of an ICP within it, edit it."""
    if by.is_superuser:
        return
    home = home_icp(by)
    within = (
        home is not None
        and by.is_icp_manager_for(home)
        and area.pk in {a.pk for a in [home, *home.ancestors()]}
    )
    if not within:
        raise deny(
            action=EventType.STRATEGY_CHANGE,
            by=by,
            target=target,
            reason="not a manager within this system",
            message=f"Only an ICP manager within {area} can change its strategy.",
        )


def create_strategy(
    *,
    area: Area,
    title: str,
    period_start: date,
    period_end: date,
    by: User,
    published_on: date | None = None,
) -> Strategy:
    _require_strategy_editor(by, area, area)
    if period_end <= period_start:
        raise ValidationError({"period_end": "The strategy period must end after it starts."})
    strategy = Strategy(
        area=area, title=title, period_start=period_start, period_end=period_end, published_on=published_on
    )
    strategy.full_clean()
    with transaction.atomic():
        strategy.save()
        record(action=EventType.STRATEGY_CREATE, actor=by, target=strategy, detail={"area": area.code})
    return strategy


def add_strategy_priority(
    *, strategy: Strategy, title: str, by: User, description: str = ""
) -> StrategyPriority:
    _require_strategy_editor(by, strategy.area, strategy)
    with transaction.atomic():
        number = (strategy.priorities.aggregate(last=Max("number"))["last"] or 0) + 1
        priority = StrategyPriority.objects.create(
            strategy=strategy, number=number, title=title, description=description
        )
        record(
            action=EventType.STRATEGY_PRIORITY, actor=by, target=priority, detail={"strategy": strategy.pk}
        )
    return priority


def add_strategy_outcome(
    *,
    priority: StrategyPriority,
    description: str,
    by: User,
    indicators: list[Indicator] | None = None,
    projects: list[Project] | None = None,
    business_cases: list[BusinessCase] | None = None,
) -> StrategyOutcome:
    _require_strategy_editor(by, priority.strategy.area, priority)
    with transaction.atomic():
        outcome = StrategyOutcome.objects.create(priority=priority, description=description)
        outcome.indicators.set(indicators or [])
        outcome.projects.set(projects or [])
        outcome.business_cases.set(business_cases or [])
        record(
            action=EventType.STRATEGY_OUTCOME,
            actor=by,
            target=outcome,
            detail={
                "indicators": [i.code for i in indicators or []],
                "projects": [p.pk for p in projects or []],
                "business_cases": [c.pk for c in business_cases or []],
            },
        )
    return outcome

"""Annual-plan views of progress: flags per milestone and the roll-up across the ICPs of an area."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from icp.governance.models import AnnualPlan, Milestone
from icp.governance.vocab import Rag
from icp.partnership.models import Area
from icp.partnership.roles import AreaLevel


@dataclass
class PlanProgress:
    icp: Area
    plan: AnnualPlan | None
    by_rag: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Rag.values, 0))
    overdue: int = 0
    at_risk: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_rag.values())


@dataclass
class Rollup:
    area: Area
    year_starting: int
    on: date
    rows: list[PlanProgress]

    @property
    def totals(self) -> PlanProgress:
        combined = PlanProgress(icp=self.area, plan=None)
        for row in self.rows:
            for rag, count in row.by_rag.items():
                combined.by_rag[rag] += count
            combined.overdue += row.overdue
            combined.at_risk += row.at_risk
        return combined


def icps_within(area: Area) -> list[Area]:
    """The ICPs at or below `area` in the tree."""
    if area.level == AreaLevel.ICP:
        return [area]
    found: list[Area] = []
    frontier = [area]
    while frontier:
        children = list(Area.objects.filter(parent__in=frontier))
        found += [c for c in children if c.level == AreaLevel.ICP]
        frontier = [c for c in children if c.level != AreaLevel.ICP]
    return sorted(found, key=lambda a: a.name)


def progress(plan: AnnualPlan, on: date | None = None) -> PlanProgress:
    on = on or date.today()
    row = PlanProgress(icp=plan.icp, plan=plan)
    for milestone in Milestone.objects.filter(objective__plan=plan):
        row.by_rag[milestone.rag] += 1
        row.overdue += int(milestone.is_overdue(on))
        row.at_risk += int(milestone.is_at_risk(on))
    return row


def area_rollup(area: Area, *, year_starting: int, on: date | None = None) -> Rollup:
    on = on or date.today()
    rows = []
    for icp in icps_within(area):
        plan = AnnualPlan.objects.filter(icp=icp, year_starting=year_starting).first()
        rows.append(progress(plan, on) if plan else PlanProgress(icp=icp, plan=None))
    return Rollup(area=area, year_starting=year_starting, on=on, rows=rows)


def current_plan_year(on: date | None = None) -> int:
    """NI and England plan years start on 1 April."""
    on = on or date.today()
    return on.year if on.month >= 4 else on.year - 1

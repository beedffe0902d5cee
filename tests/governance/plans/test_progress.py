"""Milestone flags (overdue, at risk), progress updates and the area roll-up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icp.governance.models import Milestone, Objective
from icp.governance.plans import actions as actions
from icp.governance.plans.progress import area_rollup
from icp.governance.vocab import Rag
from icp.partnership.models import Area, Person, User

TODAY = date(2026, 11, 1)


@pytest.fixture
def objective(demo_manager: User) -> Objective:
    assert demo_manager.home_area is not None
    plan = actions.create_plan(
        icp=demo_manager.home_area, year_starting=2026, title="ICP plan", by=demo_manager
    )
    return actions.add_objective(plan=plan, title="Frailty", by=demo_manager)


def _milestone(objective: Objective, person: Person, manager: User, due: date, rag: str) -> Milestone:
    return actions.add_milestone(
        objective=objective, title=f"{rag} {due}", owner=person, due_date=due, rag=rag, by=manager
    )


@pytest.mark.parametrize(
    ("days_to_due", "rag", "overdue", "at_risk"),
    [
        (30, Rag.GREEN, False, False),
        (30, Rag.AMBER, False, True),
        (30, Rag.RED, False, True),
        (-1, Rag.GREEN, True, False),  # past due: overdue whatever its RAG claims
        (-1, Rag.RED, True, False),  # overdue, not also "at risk"
        (-1, Rag.COMPLETE, False, False),
        (0, Rag.AMBER, False, True),  # due today is not yet overdue
    ],
)
def test_milestone_flags(
    objective: Objective,
    person: Person,
    demo_manager: User,
    days_to_due: int,
    rag: str,
    overdue: bool,
    at_risk: bool,
) -> None:
    milestone = _milestone(objective, person, demo_manager, TODAY + timedelta(days=days_to_due), rag)
    assert (milestone.is_overdue(TODAY), milestone.is_at_risk(TODAY)) == (overdue, at_risk)


def test_an_update_sets_the_rag_and_keeps_the_note(
    objective: Objective, person: Person, demo_manager: User
) -> None:
    milestone = _milestone(objective, person, demo_manager, TODAY, Rag.AMBER)
    actions.update_milestone(milestone=milestone, rag=Rag.COMPLETE, note="Done.", by=demo_manager, on=TODAY)
    milestone.refresh_from_db()
    assert milestone.rag == Rag.COMPLETE and milestone.completed_on == TODAY
    assert milestone.updates.get().note == "Done."
    with pytest.raises(ValidationError, match="progress note"):
        actions.update_milestone(milestone=milestone, rag=Rag.RED, note=" ", by=demo_manager)


def test_another_icps_manager_cannot_change_the_plan(
    objective: Objective, person: Person, demo_manager: User, other_manager: User
) -> None:
    milestone = _milestone(objective, person, demo_manager, TODAY, Rag.GREEN)
    with pytest.raises(PermissionDenied):
        actions.update_milestone(milestone=milestone, rag=Rag.RED, note="Sabotage", by=other_manager)
    with pytest.raises(PermissionDenied):
        actions.add_objective(plan=objective.plan, title="Not mine", by=other_manager)


def test_the_rollup_counts_each_icp_of_an_area(
    objective: Objective, person: Person, demo_manager: User
) -> None:
    for days, rag in [(30, Rag.GREEN), (30, Rag.AMBER), (-5, Rag.GREEN), (-5, Rag.COMPLETE)]:
        _milestone(objective, person, demo_manager, TODAY + timedelta(days=days), rag)
    rollup = area_rollup(Area.objects.get(code="NI-NOR"), year_starting=2026, on=TODAY)
    assert len(rollup.rows) == Area.objects.filter(parent__code="NI-NOR", level="icp").count()
    row = next(r for r in rollup.rows if r.icp.code == "NI-NOR-CA")
    assert (row.total, row.overdue, row.at_risk, row.by_rag[Rag.COMPLETE]) == (4, 1, 1, 1)
    assert sum(r.total for r in rollup.rows) == 4
    assert all(r.plan is None for r in rollup.rows if r.icp.code != "NI-NOR-CA")

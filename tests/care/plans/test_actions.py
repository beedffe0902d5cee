"""Care plans: goals in the person's words, activities owned across organisations, overdue shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icp.care.actions import add_care_team_member
from icp.care.pathways.actions import enrol
from icp.care.plans.actions import add_activity, add_goal, create_care_plan, review_care_plan, update_activity
from icp.care.plans.models import ActivityStatus
from icp.patients.models import RiskResult
from tests.sharing.conftest import World


def test_a_plan_from_an_enrolment_takes_the_pathways_steps_that_apply(
    shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    alice, gp = shared_world.patients["alice"], shared_world.users["gp"]
    risk_for(alice, registers=["stroke_tia"])
    enrolment = enrol(patient=alice, pathway_id="stroke", reason="TIA in March", by=gp)
    plan = create_care_plan(
        patient=alice, by=gp, enrolment=enrolment, goals=["I want to keep driving to see my sister"]
    )
    assert plan.title == "Stroke and TIA secondary prevention care plan"
    assert [a.step for a in plan.activities.all()] == [
        "secondary-prevention-review"
    ]  # no AF: no anticoagulation step
    assert [g.description for g in plan.goals.all()] == ["I want to keep driving to see my sister"]
    assert plan.review_on == enrolment.next_review_on


def test_activities_across_organisations_and_overdue(shared_world: World) -> None:
    alice, gp = shared_world.patients["alice"], shared_world.users["gp"]
    plan = create_care_plan(patient=alice, by=gp, title="Staying at home")
    today = timezone.localdate()
    visit = add_activity(
        care_plan=plan,
        description="Weekly befriending visit",
        owner_organisation=shared_world.orgs["voluntary"],
        due_on=today - timedelta(days=2),
        by=gp,
    )
    assert visit.overdue(today)
    add_care_team_member(patient=alice, organisation=shared_world.orgs["voluntary"], role="befriender", by=gp)
    with pytest.raises(PermissionDenied):  # the pharmacy neither owns it nor wrote the plan
        update_activity(activity=visit, status=ActivityStatus.COMPLETED, by=shared_world.users["pharmacist"])
    update_activity(
        activity=visit,
        status=ActivityStatus.COMPLETED,
        by=shared_world.users["voluntary"],
        outcome="Going well",
    )
    visit.refresh_from_db()
    assert not visit.overdue(today) and visit.completed_on == today
    plan.refresh_from_db()
    assert plan.version == 3
    add_goal(care_plan=plan, description="To get out to the day centre on Tuesdays", by=gp)
    with pytest.raises(ValidationError):
        add_goal(care_plan=plan, description="  ", by=gp)


def test_reviews_and_an_overdue_review(shared_world: World) -> None:
    alice, gp = shared_world.patients["alice"], shared_world.users["gp"]
    today = timezone.localdate()
    plan = create_care_plan(patient=alice, by=gp, title="Plan", review_on=today - timedelta(days=1))
    assert plan.review_overdue(today)
    with pytest.raises(ValidationError):
        review_care_plan(care_plan=plan, next_review_on=today, by=gp)
    review_care_plan(care_plan=plan, next_review_on=today + timedelta(days=90), by=gp)
    assert not plan.review_overdue(today) and plan.last_reviewed_on == today


def test_writing_a_plan_needs_access_to_the_persons_care_plans(shared_world: World) -> None:
    with pytest.raises(PermissionDenied):
        create_care_plan(patient=shared_world.patients["bob"], by=shared_world.users["gp"], title="x")

"""Care plan changes, one function per verb (keyword-only, acting user `by=`).

Writing a plan is care work on the person: the access decision must allow the acting user to see
the person's care plans (`care_plans` category) for care coordination or direct care. An activity
may be updated by its owning organisation or by the plan's author organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care import pathways
from icp.care.access import refuse, require_care_access
from icp.care.pathways.actions import facts_for
from icp.care.pathways.models import Enrolment
from icp.care.plans.models import Activity, ActivityStatus, CarePlan, Goal, GoalStatus, PlanStatus
from icp.partnership.models import Organisation, User
from icp.patients.models import PatientIndex
from icp.sharing.vocabulary import DataCategory

DEFAULT_REVIEW_DAYS = 90


def _audit(care_plan: CarePlan) -> dict[str, Any]:
    return {
        "target_type": "care.careplan",
        "target_id": care_plan.public_id,
        "patient_ref": care_plan.patient.patient_id,
    }


def _touch(care_plan: CarePlan) -> None:
    care_plan.version += 1
    care_plan.save(update_fields=["version", "last_modified"])


def create_care_plan(
    *,
    patient: PatientIndex,
    by: User,
    title: str = "",
    enrolment: Enrolment | None = None,
    goals: Iterable[str] = (),
    review_on: date | None = None,
) -> CarePlan:
    """A new care plan; from an enrolment, the pathway's steps that apply become its activities."""
    require_care_access(by, patient, EventType.CARE_PLAN_CREATE, DataCategory.CARE_PLANS)
    if enrolment is not None and enrolment.patient_id != patient.pk:
        raise ValidationError({"enrolment": "That enrolment is another person's."})
    if by.organisation is None:
        raise ValidationError({"organisation": "Your account is not linked to an organisation."})
    pathway = pathways.get(enrolment.pathway) if enrolment is not None else None
    title = title.strip() or (f"{pathway.title} care plan" if pathway else "")
    if not title:
        raise ValidationError({"title": "Give the plan a title."})
    today = timezone.localdate()
    with transaction.atomic():
        care_plan = CarePlan.objects.create(
            patient=patient,
            enrolment=enrolment,
            title=title,
            organisation=by.organisation,
            created_by=by,
            review_on=review_on
            or (enrolment.next_review_on if enrolment else today + timedelta(days=DEFAULT_REVIEW_DAYS)),
            synthetic=patient.synthetic,
        )
        for description in goals:
            if description.strip():
                Goal.objects.create(care_plan=care_plan, description=description.strip())
        if pathway is not None and enrolment is not None:
            for step in pathway.steps_for(facts_for(patient)):
                Activity.objects.create(
                    care_plan=care_plan,
                    description=step.title,
                    step=step.id,
                    code=step.intervention.code or "",
                    code_display=step.intervention.display,
                    owner_organisation=by.organisation,
                    due_on=enrolment.started_on + timedelta(days=step.due_within_days),
                )
        record(
            action=EventType.CARE_PLAN_CREATE,
            actor=by,
            **_audit(care_plan),
            detail={
                "pathway": pathway.id if pathway else None,
                "goals": care_plan.goals.count(),
                "activities": care_plan.activities.count(),
            },
        )
    return care_plan


def add_goal(*, care_plan: CarePlan, description: str, by: User, target_date: date | None = None) -> Goal:
    """A goal in the person's own words ("what matters to me")."""
    require_care_access(by, care_plan.patient, EventType.CARE_PLAN_GOAL, DataCategory.CARE_PLANS)
    if not description.strip():
        raise ValidationError({"description": "Write the goal in the person's own words."})
    with transaction.atomic():
        goal = Goal.objects.create(
            care_plan=care_plan, description=description.strip(), target_date=target_date
        )
        _touch(care_plan)
        record(
            action=EventType.CARE_PLAN_GOAL, actor=by, **_audit(care_plan), detail={"goal": goal.public_id}
        )
    return goal


def set_goal_status(*, goal: Goal, status: str, by: User) -> Goal:
    require_care_access(by, goal.care_plan.patient, EventType.CARE_PLAN_GOAL, DataCategory.CARE_PLANS)
    if status not in GoalStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(GoalStatus.values)}."})
    with transaction.atomic():
        goal.status = status
        goal.save(update_fields=["status"])
        _touch(goal.care_plan)
        record(
            action=EventType.CARE_PLAN_GOAL,
            actor=by,
            **_audit(goal.care_plan),
            detail={"goal": goal.public_id, "status": status},
        )
    return goal


def add_activity(
    *,
    care_plan: CarePlan,
    description: str,
    owner_organisation: Organisation,
    due_on: date,
    by: User,
    owner_user: User | None = None,
) -> Activity:
    """An activity owned by any partner organisation (optionally one named user of it)."""
    require_care_access(by, care_plan.patient, EventType.CARE_PLAN_ACTIVITY, DataCategory.CARE_PLANS)
    if not description.strip():
        raise ValidationError({"description": "Say what is to be done."})
    if owner_user is not None and owner_user.organisation_id != owner_organisation.pk:
        raise ValidationError({"owner_user": "That user does not work for that organisation."})
    with transaction.atomic():
        activity = Activity.objects.create(
            care_plan=care_plan,
            description=description.strip(),
            owner_organisation=owner_organisation,
            owner_user=owner_user,
            due_on=due_on,
        )
        _touch(care_plan)
        record(
            action=EventType.CARE_PLAN_ACTIVITY,
            actor=by,
            **_audit(care_plan),
            detail={
                "activity": activity.public_id,
                "owner": owner_organisation.code,
                "due_on": due_on.isoformat(),
            },
        )
    return activity


def update_activity(*, activity: Activity, status: str, by: User, outcome: str = "") -> Activity:
    """Move an activity on (booked, in progress, done, cancelled); by its owner or the plan's author."""
    care_plan = activity.care_plan
    if by.organisation_id not in (activity.owner_organisation_id, care_plan.organisation_id):
        raise refuse(
            by,
            EventType.CARE_PLAN_ACTIVITY,
            "Only the organisation that owns this activity, or wrote the plan, can update it.",
            **_audit(care_plan),
        )
    require_care_access(by, care_plan.patient, EventType.CARE_PLAN_ACTIVITY, DataCategory.CARE_PLANS)
    if status not in ActivityStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(ActivityStatus.values)}."})
    with transaction.atomic():
        activity.status = status
        activity.completed_on = timezone.localdate() if status == ActivityStatus.COMPLETED else None
        if outcome.strip():
            activity.outcome = outcome.strip()
        activity.save(update_fields=["status", "completed_on", "outcome"])
        _touch(care_plan)
        record(
            action=EventType.CARE_PLAN_ACTIVITY,
            actor=by,
            **_audit(care_plan),
            detail={"activity": activity.public_id, "status": status},
        )
    return activity


def review_care_plan(
    *, care_plan: CarePlan, next_review_on: date, by: User, status: str = PlanStatus.ACTIVE
) -> CarePlan:
    """Record a review of the plan with the person, and when the next one is (or end the plan)."""
    require_care_access(by, care_plan.patient, EventType.CARE_PLAN_REVIEW, DataCategory.CARE_PLANS)
    today = timezone.localdate()
    if status not in PlanStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(PlanStatus.values)}."})
    if status == PlanStatus.ACTIVE and next_review_on <= today:
        raise ValidationError({"next_review_on": "The next review must be after today."})
    with transaction.atomic():
        care_plan.last_reviewed_on = today
        care_plan.review_on = next_review_on
        if status != PlanStatus.ACTIVE and care_plan.status == PlanStatus.ACTIVE:
            care_plan.ended_on = today  # evaluation counts plans active on a day (care/publish.py)
        elif status == PlanStatus.ACTIVE:
            care_plan.ended_on = None
        care_plan.status = status
        care_plan.save(update_fields=["last_reviewed_on", "review_on", "status", "ended_on"])
        _touch(care_plan)
        record(
            action=EventType.CARE_PLAN_REVIEW,
            actor=by,
            **_audit(care_plan),
            detail={"next_review_on": next_review_on.isoformat(), "status": status},
        )
    return care_plan

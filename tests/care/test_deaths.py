"""A recorded death closes relationships, cancels referrals, ends enrolments and plans, and takes the
person off worklists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care.actions import add_care_team_member
from icp.care.deaths import record_death
from icp.care.pathways.actions import enrol
from icp.care.plans.actions import create_care_plan
from icp.care.plans.models import PlanStatus
from icp.care.referrals.models import Referral
from icp.care.referrals.states import TaskStatus
from icp.care.worklist import WorklistFilter, worklist_queryset
from icp.patients.models import CareRelationship, RiskResult
from icp.sharing.policy import Code, decide
from icp.sharing.vocabulary import Purpose
from tests.care.pathways.conftest import risk_for
from tests.care.referrals.conftest import accepted_referral
from tests.sharing.conftest import World

__all__ = ["risk_for"]


def test_a_death_closes_everything_that_was_open(
    shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    w = shared_world
    alice, gp, today = w.patients["alice"], w.users["gp"], timezone.localdate()
    risk_for(alice)
    enrolment = enrol(patient=alice, pathway_id="end-of-life", reason="x", by=gp)
    plan = create_care_plan(patient=alice, by=gp, enrolment=enrolment)
    add_care_team_member(patient=alice, organisation=w.orgs["pharmacy"], role="pharmacist", by=gp)
    accepted = accepted_referral(w, "alice", "voluntary")
    assert decide(w.users["voluntary"], alice, Purpose.CARE_COORDINATION).allowed
    assert list(worklist_queryset(w.orgs["practice_a"], WorklistFilter()))

    with pytest.raises(PermissionDenied):
        record_death(patient=alice, died_on=today, by=w.users["pharmacist"])
    with pytest.raises(ValidationError):
        record_death(patient=alice, died_on=today + timedelta(days=1), by=gp)
    done = record_death(patient=alice, died_on=today, by=gp)

    assert done.referrals_cancelled == 1 and done.enrolments_ended == 1 and done.care_plans_ended == 1
    assert (
        done.relationships_closed == 2
    )  # enrolment and care team (the referral's closed as it was cancelled)
    assert not CareRelationship.objects.filter(patient=alice).current(today).exists()
    accepted.refresh_from_db()
    assert accepted.status == TaskStatus.CANCELLED and accepted.status_reason == "The person has died."
    enrolment.refresh_from_db()
    plan.refresh_from_db()
    assert enrolment.end_reason == "died" and plan.status == PlanStatus.COMPLETED
    assert decide(w.users["voluntary"], alice, Purpose.CARE_COORDINATION).code == Code.NO_RELATIONSHIP
    assert not list(worklist_queryset(w.orgs["practice_a"], WorklistFilter()))
    assert AuditEvent.objects.filter(action="death.record", outcome="success").count() == 1
    assert Referral.objects.filter(patient=alice, status__in=["requested", "accepted"]).count() == 0

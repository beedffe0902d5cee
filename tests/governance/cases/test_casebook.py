"""Money requested and approved, and days in each stage, read from a case's transition history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from icp.governance.cases.actions import transition_case
from icp.governance.cases.casebook import case_rows, money_totals, time_in_stages
from icp.governance.models import BusinessCase, CaseTransition
from icp.partnership.models import User


def test_days_in_each_stage_come_from_the_history(
    draft_case: BusinessCase, demo_manager: User, demo_reviewer: User
) -> None:
    transition_case(case=draft_case, verb="submit", by=demo_manager)
    transition_case(case=draft_case, verb="start_review", by=demo_reviewer)
    now = timezone.now()
    BusinessCase.objects.filter(pk=draft_case.pk).update(created_at=now - timedelta(days=30))
    submit, review = CaseTransition.objects.filter(case=draft_case).order_by("at", "id")
    CaseTransition.objects.filter(pk=submit.pk).update(at=now - timedelta(days=20))
    CaseTransition.objects.filter(pk=review.pk).update(at=now - timedelta(days=5))
    draft_case.refresh_from_db()
    stages = {s.status: (s.days, s.current) for s in time_in_stages(draft_case, now=now)}
    assert stages == {"draft": (10, False), "submitted": (15, False), "under_review": (5, True)}


def test_money_totals_add_requested_and_approved(
    draft_case: BusinessCase, demo_manager: User, demo_reviewer: User
) -> None:
    for verb, user in (("submit", demo_manager), ("start_review", demo_reviewer)):
        transition_case(case=draft_case, verb=verb, by=user)
    transition_case(case=draft_case, verb="approve", by=demo_reviewer, money_approved=Decimal("75000"))
    rows = case_rows(BusinessCase.objects.all())
    assert money_totals(rows) == (Decimal("120000"), Decimal("75000"))

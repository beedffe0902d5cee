"""A person's care page: care plans with goals and activities across organisations, overdue shown."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from icp.care.pathways.actions import enrol
from icp.care.plans.models import CarePlan
from tests.sharing.conftest import World


def test_start_a_plan_from_an_enrolment_add_goal_and_activity_and_review(
    client: Client, shared_world: World
) -> None:
    enrolment = enrol(
        patient=shared_world.patients["alice"], pathway_id="copd", reason="x", by=shared_world.users["gp"]
    )
    client.force_login(shared_world.users["gp"])
    client.post(
        "/care/person/pt-alice-0001/plans/",
        {"enrolment": enrolment.public_id, "goal": "I want to walk to church again"},
    )
    plan = CarePlan.objects.get()
    assert plan.activities.count() == 4 and plan.goals.get().description == "I want to walk to church again"
    url = f"/care/person/pt-alice-0001/plans/{plan.public_id}/"
    yesterday = timezone.localdate() - timedelta(days=1)
    # The due date in the NHS date input's three boxes, as the page draws it.
    page = client.get("/care/person/pt-alice-0001/").content.decode()
    for box in ("due_on_day", "due_on_month", "due_on_year", "next_review_on_day"):
        assert f'name="{box}"' in page, box
    assert "YYYY-MM-DD" not in page
    client.post(
        url,
        {
            "what": "activity",
            "description": "Befriending",
            "owner": "T-VOL",
            "due_on_day": str(yesterday.day),
            "due_on_month": str(yesterday.month),
            "due_on_year": str(yesterday.year),
        },
    )
    client.post(url, {"what": "goal", "description": "To see my grandchildren at Christmas"})
    page = client.get("/care/person/pt-alice-0001/").content.decode()
    assert "“To see my grandchildren at Christmas”" in page
    assert "Test Volunteers (synthetic)" in page and "Overdue" in page
    response = client.post(
        url,
        {
            "what": "review",
            "next_review_on_day": "31",
            "next_review_on_month": "2",
            "next_review_on_year": "2027",
        },
        follow=True,
    )
    assert "The next review date: 31 2 2027 is not a day of the calendar." in response.content.decode()


def test_the_persons_referrals_are_shown_as_the_referral_basis_allows_in_one_audit_event(
    client: Client, shared_world: World
) -> None:
    from icp.audit.models import AuditEvent
    from icp.care.referrals.actions import create_referral
    from icp.care.referrals.models import Service, ServiceType

    service = Service.objects.create(
        organisation=shared_world.orgs["voluntary"],
        name="Befriending (synthetic)",
        type=ServiceType.VOLUNTARY_SUPPORT,
        eligibility="Adults",
    )
    referral = create_referral(
        patient=shared_world.patients["alice"], service=service, reason="Lonely", by=shared_world.users["gp"]
    )
    client.force_login(shared_world.users["gp"])
    page = client.get("/care/person/pt-alice-0001/").content.decode()
    assert f"/care/referrals/{referral.public_id}/" in page
    event = AuditEvent.objects.get(action="referral.list")
    assert event.detail["box"] == "person" and event.detail["referrals"] == [referral.public_id]
    assert list(event.subjects.values_list("patient_ref", flat=True)) == ["pt-alice-0001"]

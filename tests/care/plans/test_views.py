"""People to review: the open care-plan activities an organisation owns, each person shown only when
the access decision lets the user see them, the list one audit event; through the test client."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care.actions import add_care_team_member
from icp.care.plans.actions import add_activity, create_care_plan, update_activity
from icp.care.plans.models import ActivityStatus
from tests.sharing.conftest import World

URL = "/care/people-to-review/"


def test_the_pharmacy_sees_what_care_plans_ask_of_it_and_only_people_it_may_see(
    shared_world: World, client: Client
) -> None:
    w, today = shared_world, timezone.localdate()
    gp, pharmacy = w.users["gp"], w.orgs["pharmacy"]
    alice_plan = create_care_plan(patient=w.patients["alice"], by=gp, title="Staying well at home")
    add_care_team_member(patient=w.patients["alice"], organisation=pharmacy, role="pharmacist", by=gp)
    review = add_activity(
        care_plan=alice_plan,
        description="Structured medication review",
        owner_organisation=pharmacy,
        due_on=today - timedelta(days=1),
        by=gp,
    )
    add_activity(
        care_plan=alice_plan,
        description="Befriending visit",
        owner_organisation=w.orgs["voluntary"],
        due_on=today,
        by=gp,
    )
    # Bob's plan asks the pharmacy too, but the pharmacy is not in Bob's care: he is held back.
    bob_plan = create_care_plan(patient=w.patients["bob"], by=w.users["gp_b"], title="Breathing plan")
    add_activity(
        care_plan=bob_plan,
        description="Inhaler technique check",
        owner_organisation=pharmacy,
        due_on=today,
        by=w.users["gp_b"],
    )
    client.force_login(w.users["pharmacist"])
    page = client.get(URL).content.decode()
    assert "ZEPHYRINE, Alice" in page and "Structured medication review" in page
    assert "Overdue" in page and "By " + w.orgs["practice_a"].name in page
    assert "Befriending visit" not in page  # another organisation's activity
    assert "QUILLFEATHER" not in page and "Inhaler technique" not in page
    assert "1 activity is not shown" in page
    event = AuditEvent.objects.filter(action="care_plan.activity.list").latest("id")
    assert event.actor_username == "pharmacist"
    assert event.detail["shown"] == ["pt-alice-0001"] and event.detail["hidden_by_access_decision"] == 1

    # Done, it leaves the list.
    update_activity(activity=review, status=ActivityStatus.COMPLETED, by=w.users["pharmacist"])
    assert "Structured medication review" not in client.get(URL).content.decode()


def test_the_pharmacists_home_counts_what_the_page_lists(shared_world: World, client: Client) -> None:
    w = shared_world
    client.force_login(w.users["pharmacist"])
    home = client.get("/").content.decode()
    assert f'href="{URL}"' in home and "0 people with care-plan activities" in home


def test_a_user_of_no_organisation_is_refused_and_the_refusal_is_audited(
    shared_world: World, client: Client
) -> None:
    w = shared_world
    loner = w.users["manager"]
    loner.organisation = None
    loner.save(update_fields=["organisation"])
    client.force_login(loner)
    assert client.get(URL).status_code == 403
    assert AuditEvent.objects.filter(action="care_plan.activity.list", outcome="denied").exists()

"""Plan and project pages: milestones updated by their ICP's manager, adoption by another ICP."""

from __future__ import annotations

from datetime import date, timedelta

from icp.governance.plans import actions as plan_actions
from icp.governance.vocab import Rag
from icp.partnership.models import Area, Person, User
from tests.governance.clients import browser


def test_milestones_are_updated_only_by_their_icps_manager(
    demo_manager: User, other_manager: User, person: Person
) -> None:
    icp = Area.objects.get(code="NI-NOR-CA")
    plan = plan_actions.create_plan(icp=icp, year_starting=2026, title="Plan", by=demo_manager)
    objective = plan_actions.add_objective(plan=plan, title="Frailty", by=demo_manager)
    milestone = plan_actions.add_milestone(
        objective=objective,
        title="Worklists",
        owner=person,
        due_date=date.today() - timedelta(days=1),
        by=demo_manager,
    )
    page = browser(other_manager).get(f"/governance/plans/{plan.pk}/").content.decode()
    assert "Overdue" in page and "Update" not in page.split("Worklists")[1][:80]
    url = f"/governance/milestones/{milestone.pk}/update/"
    assert browser(other_manager).post(url, {"rag": "red", "note": "x"}).status_code == 403
    assert browser(demo_manager).post(url, {"rag": Rag.COMPLETE, "note": "Done"}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.rag == Rag.COMPLETE


def test_another_icp_records_its_own_adoption(demo_manager: User, other_manager: User) -> None:
    icp = Area.objects.get(code="NI-NOR-CA")
    lead = icp.organisations.first()
    assert lead is not None
    project = plan_actions.create_project(
        title="Falls", origin_icp=icp, lead_organisation=lead, start_date=date(2020, 1, 1), by=demo_manager
    )
    response = browser(other_manager).post(
        f"/governance/projects/{project.pk}/adopt/", {"started_on": "2021-05-01"}
    )
    assert response.status_code == 302
    assert [site.icp.code for site in project.sites.order_by("started_on")] == ["NI-NOR-CA", "NI-BEL-E"]
    spread = browser(other_manager).get("/governance/projects/spread/").content.decode()
    assert "2 of 17" in spread
    again = browser(demo_manager).post(
        f"/governance/projects/{project.pk}/adopt/", {"started_on": "2021-05-01"}
    )
    assert again.status_code == 400 and "already runs" in again.content.decode()


def test_a_manager_writes_a_plan_and_starts_a_project_through_the_pages(
    demo_manager: User, other_manager: User, person: Person
) -> None:
    client = browser(demo_manager)
    assert browser(other_manager).post("/governance/icp/NI-NOR-CA/plans/new/", {}).status_code == 403
    response = client.post(
        "/governance/icp/NI-NOR-CA/plans/new/", {"year_starting": 2026, "title": "Plan 26/27"}
    )
    assert response.status_code == 302
    plan_url = response["Location"]
    plan_id = int(plan_url.rstrip("/").split("/")[-1])
    assert (
        client.post(f"/governance/plans/{plan_id}/objectives/new/", {"title": "Frailty"}).status_code == 302
    )
    objective = Area.objects.get(code="NI-NOR-CA").annual_plans.get().objectives.get()
    milestone = {"title": "Worklists live", "owner": person.pk, "due_date": "2027-01-31", "rag": "green"}
    assert client.post(f"/governance/objectives/{objective.pk}/milestones/new/", milestone).status_code == 302
    assert "Worklists live" in client.get(plan_url).content.decode()
    assert (
        browser(other_manager)
        .post(f"/governance/objectives/{objective.pk}/milestones/new/", milestone)
        .status_code
        == 403
    )
    lead = Area.objects.get(code="NI-NOR-CA").organisations.order_by("name").first()
    assert lead is not None
    project = {"title": "Frailty hub", "lead_organisation": lead.pk, "start_date": "2026-09-01"}
    assert client.post("/governance/icp/NI-NOR-CA/projects/new/", project).status_code == 302
    assert browser(other_manager).post("/governance/icp/NI-NOR-CA/projects/new/", project).status_code == 403

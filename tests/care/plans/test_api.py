"""The JSON API for a person's care: enrolments, care plans, care team; under the access decision."""

from __future__ import annotations

from django.test import Client

from icp.care.actions import add_care_team_member
from icp.care.plans.actions import create_care_plan
from icp.care.teams.actions import add_carer, set_care_coordinator
from icp.partnership.models import ApiToken, User
from tests.sharing.conftest import World


def auth(user: User) -> dict[str, str]:
    _, key = ApiToken.issue(user, "api tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_enrol_and_read_plans_and_team_through_the_api(client: Client, shared_world: World) -> None:
    w = shared_world
    gp = w.users["gp"]
    created = client.post(
        "/api/care/patients/pt-alice-0001/enrolments",
        {"pathway": "falls", "reason": "Two falls (synthetic)"},
        content_type="application/json",
        **auth(gp),
    )
    assert created.status_code == 201 and created.json()["pathway"] == "falls"
    bad = client.post(
        "/api/care/patients/pt-alice-0001/enrolments",
        {"pathway": "gout", "reason": "x"},
        content_type="application/json",
        **auth(gp),
    )
    assert bad.status_code == 422
    create_care_plan(patient=w.patients["alice"], by=gp, title="Staying steady", goals=["Walk to church"])
    member = add_care_team_member(
        patient=w.patients["alice"], organisation=w.orgs["voluntary"], role="befriender", by=gp
    )
    set_care_coordinator(member=member, by=gp)
    add_carer(patient=w.patients["alice"], name="A son (synthetic)", relationship="son", by=gp)
    plans = client.get("/api/care/patients/pt-alice-0001/care-plans", **auth(gp)).json()
    assert plans[0]["title"] == "Staying steady" and plans[0]["goals"][0]["description"] == "Walk to church"
    team = client.get("/api/care/patients/pt-alice-0001/care-team", **auth(gp)).json()
    assert team["members"][0]["coordinator"] is True and team["carers"][0]["relationship"] == "son"
    assert [
        e["pathway"] for e in client.get("/api/care/patients/pt-alice-0001/enrolments", **auth(gp)).json()
    ] == ["falls"]
    assert (
        client.get("/api/care/patients/pt-alice-0001/care-plans", **auth(w.users["gp_b"])).status_code == 403
    )
    assert (
        client.get("/api/care/patients/pt-alice-0001/care-team", **auth(w.users["analyst"])).status_code
        == 403
    )
    paths = client.get("/api/openapi.json", **auth(gp)).json()["paths"]
    assert "/api/care/patients/{patient_id}/care-plans" in paths

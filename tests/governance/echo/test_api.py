"""The ECHO API: networks with their totals, created by ICP managers only."""

from __future__ import annotations

from icp.governance.echo.attendance_import import load_seed_table
from icp.partnership.models import Person, User
from tests.governance.clients import Api


def test_echo_networks_come_with_their_totals(demo_member: User) -> None:
    load_seed_table()
    body = Api(demo_member).get("/echo/networks").json()
    assert (len(body["networks"]), body["sessions"], body["participants"]) == (21, 250, 7378)
    assert Api(demo_member).get("/echo/networks", start="2020-06-01").json()["sessions"] == 0


def test_echo_networks_are_created_by_icp_managers_only(demo_manager: User, demo_member: User) -> None:
    assert Api(demo_member).post("/echo/networks", {"name": "Frailty ECHO"}).status_code == 403
    created = Api(demo_manager).post("/echo/networks", {"name": "Frailty ECHO", "area": "NI-NOR-CA"})
    assert created.status_code == 201 and created.json()["sessions"] == 0


def test_sessions_with_attendance_add_to_the_reported_totals(demo_manager: User, person: Person) -> None:
    load_seed_table()
    api = Api(demo_manager)
    network = api.post(
        "/echo/networks", {"name": "Causeway frailty ECHO (synthetic)", "area": "NI-NOR-CA"}
    ).json()
    session = api.post(
        f"/echo/networks/{network['id']}/sessions",
        {
            "date": "2021-02-03",
            "topic": "Falls after discharge",
            "presenters": "Community geriatrician",
            "case_presentations": 2,
            "attendance": [
                {"person_id": person.pk},
                {"count": 12, "organisation_type": "community_pharmacy", "role": "community_pharmacist"},
            ],
        },
    )
    assert session.status_code == 201, session.content
    assert session.json()["participants"] == 13
    everything = api.get("/echo/networks").json()
    assert (everything["sessions"], everything["participants"]) == (251, 7391)
    in_2021 = api.get("/echo/networks", start="2021-01-01", end="2021-12-31").json()
    assert (in_2021["sessions"], in_2021["participants"]) == (1, 13)
    bad = api.post(
        f"/echo/networks/{network['id']}/sessions",
        {"date": "2021-02-10", "topic": "x", "attendance": [{"count": 3}]},
    )
    assert bad.status_code == 422 and "organisation type or role" in str(bad.json()["detail"])
    assert api.get("/echo/networks").json()["sessions"] == 251  # the refused session was not kept

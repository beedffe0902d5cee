"""ECHO pages: an ICP manager adds their ICP's own learning network and records its sessions; other
users read; another ICP's manager cannot add sessions to it."""

from __future__ import annotations

import pytest

from icp.audit.models import AuditEvent
from icp.governance.models import EchoNetwork
from icp.partnership.models import User
from tests.governance.clients import browser


@pytest.fixture
def network(demo_manager: User) -> EchoNetwork:
    response = browser(demo_manager).post(
        "/governance/echo/new/",
        {
            "name": "Causeway care homes ECHO",
            "topic": "Frailty",
            "hub": "Causeway ICP",
            "audience": "Care home staff",
        },
    )
    assert response.status_code == 302
    return EchoNetwork.objects.get(name="Causeway care homes ECHO")


def test_the_manager_adds_a_network_of_their_own_icp(network: EchoNetwork, demo_manager: User) -> None:
    assert network.area == demo_manager.home_area
    assert AuditEvent.objects.filter(action="echo.network_create", actor_username="demo-manager").exists()
    page = browser(demo_manager).get(f"/governance/echo/{network.pk}/").content.decode()
    assert "Causeway ICP" in page and "Add a session" in page


def test_the_manager_records_a_session(network: EchoNetwork, demo_manager: User) -> None:
    url = f"/governance/echo/{network.pk}/sessions/new/"
    data = {
        "date": "2026-11-20",
        "topic": "Falls in care homes",
        "presenters": "Dr A",
        "case_presentations": "2",
    }
    assert browser(demo_manager).post(url, data).status_code == 302
    session = network.sessions.get()
    assert (session.topic, session.case_presentations) == ("Falls in care homes", 2)
    assert (
        "Falls in care homes" in browser(demo_manager).get(f"/governance/echo/{network.pk}/").content.decode()
    )


def test_bad_input_is_named_and_a_duplicate_name_refused(network: EchoNetwork, demo_manager: User) -> None:
    client = browser(demo_manager)
    response = client.post(
        f"/governance/echo/{network.pk}/sessions/new/",
        {"date": "tomorrow", "topic": "", "case_presentations": "-1"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Date: Enter a valid date." in body and "Topic: This field is required." in body
    assert "Cases presented: Ensure this value is greater than or equal to 0." in body
    again = client.post("/governance/echo/new/", {"name": "Causeway care homes ECHO"})
    assert again.status_code == 400 and "already exists" in again.content.decode()


def test_only_icp_managers_add_networks_and_only_their_own_icps_sessions(
    network: EchoNetwork, demo_member: User, other_manager: User
) -> None:
    member = browser(demo_member)
    assert "Add a learning network" not in member.get("/governance/echo/").content.decode()
    assert member.get("/governance/echo/new/").status_code == 403
    assert member.get(f"/governance/echo/{network.pk}/").status_code == 200
    outsider = browser(other_manager)
    assert "Add a session" not in outsider.get(f"/governance/echo/{network.pk}/").content.decode()
    data = {"date": "2026-11-20", "topic": "Not mine", "case_presentations": "0"}
    assert outsider.post(f"/governance/echo/{network.pk}/sessions/new/", data).status_code == 403
    assert not network.sessions.exists()

"""The governance JSON API: in the OpenAPI document, filtered by access, writes through the actions."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate

from icp.governance.echo_import import load_seed_table
from icp.governance.models import BusinessCase, Indicator
from icp.partnership.models import ApiToken, Committee, Person, User


class Api:
    """A client that calls the API with a bearer token, as a script would."""

    def __init__(self, user: User) -> None:
        _, self.key = ApiToken.issue(user, "test")
        self.client = Client()

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/governance{path}", params, HTTP_AUTHORIZATION=f"Bearer {self.key}")

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/governance{path}",
            json.dumps(body or {}, default=str),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.key}",
        )


def test_the_endpoints_are_in_the_openapi_document(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    validate(document)
    for path in (
        "/api/governance/meetings",
        "/api/governance/actions",
        "/api/governance/business-cases",
        "/api/governance/business-cases/{case_id}/transitions/{verb}",
        "/api/governance/echo/networks",
    ):
        assert path in document["paths"], path
    assert "post" in document["paths"]["/api/governance/business-cases"]


def test_anonymous_requests_are_refused(client: Client) -> None:
    assert client.get("/api/governance/meetings").status_code == 401


def test_meetings_and_actions_are_created_by_the_manager_and_seen_only_by_members(
    committee: Committee, demo_manager: User, demo_member: User, other_manager: User, person: Person
) -> None:
    manager = Api(demo_manager)
    created = manager.post(
        "/meetings",
        {
            "committee_id": committee.pk,
            "date": "2026-12-01",
            "mode": "virtual",
            "video_link": "https://video.invalid/m",
        },
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    action = manager.post(
        "/actions",
        {
            "committee_id": committee.pk,
            "meeting_id": meeting_id,
            "description": "Circulate the frailty pathway draft",
            "owner_id": person.pk,
            "due_date": str(date.today() - timedelta(days=3)),
        },
    )
    assert action.status_code == 201 and action.json()["overdue"] is True
    member = Api(demo_member)
    assert [m["id"] for m in member.get("/meetings").json()] == [meeting_id]
    assert len(member.get("/actions", overdue=True).json()) == 1
    outsider = Api(other_manager)
    assert outsider.get("/meetings").json() == []
    assert outsider.get(f"/meetings/{meeting_id}").status_code == 403
    refused = outsider.post(
        "/meetings", {"committee_id": committee.pk, "date": "2026-12-02", "location": "Hall"}
    )
    assert refused.status_code == 403
    done = manager.post(f"/actions/{action.json()['id']}/status", {"status": "done"})
    assert done.json()["status"] == "done" and done.json()["overdue"] is False


def test_a_virtual_meeting_without_a_link_is_refused_with_the_field(
    committee: Committee, demo_manager: User
) -> None:
    response = Api(demo_manager).post(
        "/meetings", {"committee_id": committee.pk, "date": "2026-12-01", "mode": "virtual"}
    )
    assert response.status_code == 422
    assert "video_link" in response.json()["detail"]


def test_a_case_goes_from_draft_to_approved_through_post_actions(
    demo_manager: User, demo_reviewer: User, other_reviewer: User, indicator: Indicator
) -> None:
    manager, reviewer = Api(demo_manager), Api(demo_reviewer)
    created = manager.post(
        "/business-cases",
        {
            "icp": "NI-NOR-CA",
            "title": "Falls prevention",
            "priority_group": "frail_elderly",
            "problem": "Falls lead to admissions.",
            "proposal": "Strength and balance classes.",
            "funding": [{"financial_year": "2026/27", "amount": "50000"}],
            "staff": [{"financial_year": "2026/27", "role": "Physiotherapist", "wte": "1.5"}],
            "benefits": [
                {"description": "Fewer admissions", "indicator": indicator.code, "baseline": 52, "target": 45}
            ],
        },
    )
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["status"] == "draft" and case["money_requested"] == "50000.00"
    assert case["allowed_transitions"] == ["submit"]
    case_id = case["id"]
    assert reviewer.get("/business-cases").json() == []  # drafts are not sent yet
    assert manager.post(f"/business-cases/{case_id}/transitions/approve").status_code == 409
    assert manager.post(f"/business-cases/{case_id}/transitions/submit").json()["status"] == "submitted"
    assert [c["id"] for c in reviewer.get("/business-cases", body="NI-NOR").json()] == [case_id]
    assert (
        reviewer.post(f"/business-cases/{case_id}/transitions/start_review").json()["status"]
        == "under_review"
    )
    assert Api(other_reviewer).post(f"/business-cases/{case_id}/transitions/approve").status_code == 403
    assert manager.post(f"/business-cases/{case_id}/transitions/approve").status_code == 403
    illegal = reviewer.post(f"/business-cases/{case_id}/transitions/close")
    assert illegal.status_code == 409 and "under review" in illegal.json()["detail"]
    approved = reviewer.post(f"/business-cases/{case_id}/transitions/approve", {"money_approved": "40000"})
    assert approved.json()["status"] == "approved" and approved.json()["money_approved"] == "40000.00"
    assert BusinessCase.objects.get(pk=case_id).transitions.count() == 3


def test_an_unknown_indicator_is_refused(demo_manager: User) -> None:
    response = Api(demo_manager).post(
        "/business-cases",
        {
            "icp": "NI-NOR-CA",
            "title": "X",
            "priority_group": "other",
            "problem": "p",
            "proposal": "q",
            "benefits": [{"description": "d", "indicator": "no-such", "baseline": 1, "target": 2}],
        },
    )
    assert response.status_code == 422 and "no-such" in response.json()["detail"]
    assert not BusinessCase.objects.exists()


def test_echo_networks_come_with_their_totals(demo_member: User) -> None:
    load_seed_table()
    body = Api(demo_member).get("/echo/networks").json()
    assert (len(body["networks"]), body["sessions"], body["participants"]) == (21, 250, 7378)
    assert Api(demo_member).get("/echo/networks", start="2020-06-01").json()["sessions"] == 0


def test_echo_networks_are_created_by_icp_managers_only(demo_manager: User, demo_member: User) -> None:
    assert Api(demo_member).post("/echo/networks", {"name": "Frailty ECHO"}).status_code == 403
    created = Api(demo_manager).post("/echo/networks", {"name": "Frailty ECHO", "area": "NI-NOR-CA"})
    assert created.status_code == 201 and created.json()["sessions"] == 0


@pytest.mark.parametrize("on", ["2026-11-01"])
def test_meeting_frequency_endpoint(committee: Committee, demo_member: User, on: str) -> None:
    body = Api(demo_member).get(f"/committees/{committee.pk}/meeting-frequency", on=on).json()
    assert body["meetings_in_last_12_months"] == 0 and body["flagged"] is True


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

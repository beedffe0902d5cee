"""The referral JSON API: the same table of moves, the same refusals (403, 422, 412), in OpenAPI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from icp.audit.models import AuditEvent
from icp.care.referrals.models import Referral, Service
from icp.care.referrals.states import MOVES, Party, TaskStatus
from icp.partnership.models import ApiToken, User
from tests.care.referrals.conftest import ALL_ROLES
from tests.care.referrals.test_actions import CARE_ROLES
from tests.sharing.conftest import World

S = TaskStatus


def auth(user: User) -> dict[str, str]:
    _, key = ApiToken.issue(user, "api tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def move(client: Client, referral: Referral, user: User, status: str, **extra: Any) -> Any:
    body = {"status": status, "reason": "Outside our area (synthetic)", "output": "Done (synthetic)", **extra}
    return client.post(
        f"/api/care/referrals/{referral.public_id}/move", body, content_type="application/json", **auth(user)
    )


@pytest.mark.parametrize("party", list(Party))
def test_every_move_through_the_api(
    client: Client, shared_world: World, make_referral: Callable[..., Referral], party: Party
) -> None:
    user = shared_world.users["gp" if party == Party.REQUESTER else "voluntary"]
    wrong = []
    for source in TaskStatus:
        for target in TaskStatus:
            referral = make_referral(source)
            response = move(client, referral, user, target)
            if party == Party.OWNER and source == S.DRAFT:
                expected = 403
            else:
                expected = 200 if (source, target, party) in MOVES else 422
            if response.status_code != expected:
                wrong.append(f"{source}->{target}: {response.status_code}")
            elif expected == 200:
                assert response.json()["status"] == target
            elif expected == 422:
                assert response.json()["detail"]["status"][0]
    assert wrong == []


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_through_the_api(
    client: Client, make_referral: Callable[..., Referral], user_in: Callable[[str, str], User], role: str
) -> None:
    for org, target in (("practice_a", S.CANCELLED), ("voluntary", S.ACCEPTED), ("pharmacy", S.ACCEPTED)):
        referral = make_referral(S.REQUESTED)
        user = user_in(role, org)
        expected = 200 if org != "pharmacy" and role in CARE_ROLES else 403
        assert move(client, referral, user, target).status_code == expected, (org, role)
        read = client.get(f"/api/care/referrals/{referral.public_id}", **auth(user))
        assert read.status_code == expected, (org, role)


def test_inbox_outbox_create_and_reroute(
    client: Client, shared_world: World, service: Service, other_service: Service
) -> None:
    gp, voluntary = shared_world.users["gp"], shared_world.users["voluntary"]
    created = client.post(
        "/api/care/referrals",
        {
            "patient_id": "pt-alice-0001",
            "service": service.public_id,
            "reason": "Lonely since bereavement (synthetic)",
            "needs": ["loneliness"],
        },
        content_type="application/json",
        **auth(gp),
    )
    assert created.status_code == 201, created.content
    referral = created.json()
    assert referral["status"] == "requested" and referral["next_statuses"] == [
        "cancelled",
        "entered-in-error",
    ]
    inbox = client.get("/api/care/referrals?box=inbox", **auth(voluntary)).json()
    assert [r["id"] for r in inbox] == [referral["id"]]
    assert inbox[0]["next_statuses"] == ["accepted", "rejected"]
    assert client.get("/api/care/referrals?box=inbox", **auth(gp)).json() == []
    assert [r["id"] for r in client.get("/api/care/referrals?box=outbox", **auth(gp)).json()] == [
        referral["id"]
    ]
    assert client.get("/api/care/referrals?box=inbox", **auth(shared_world.users["pharmacist"])).json() == []
    rejected = client.post(
        f"/api/care/referrals/{referral['id']}/move",
        {"status": "rejected"},
        content_type="application/json",
        **auth(voluntary),
    )
    assert rejected.status_code == 422 and "reason" in rejected.json()["detail"]
    stale = client.post(
        f"/api/care/referrals/{referral['id']}/move",
        {"status": "rejected", "reason": "Full this month", "version": 7},
        content_type="application/json",
        **auth(voluntary),
    )
    assert stale.status_code == 412
    client.post(
        f"/api/care/referrals/{referral['id']}/move",
        {"status": "rejected", "reason": "Full this month", "version": referral["version"]},
        content_type="application/json",
        **auth(voluntary),
    )
    rerouted = client.post(
        f"/api/care/referrals/{referral['id']}/reroute",
        {"service": other_service.public_id},
        content_type="application/json",
        **auth(gp),
    )
    assert rerouted.status_code == 201 and rerouted.json()["replaces"] == referral["id"]
    assert client.get("/api/care/referrals/nope", **auth(gp)).status_code == 404


def test_the_directory_is_searchable_by_need(client: Client, service: Service, shared_world: World) -> None:
    gp = shared_world.users["gp"]
    found = client.get("/api/care/services?need=food", **auth(gp)).json()
    assert [s["id"] for s in found] == [service.public_id]
    assert client.get("/api/care/services?need=housing", **auth(gp)).json() == []
    assert [s["id"] for s in client.get("/api/care/services?q=befriending", **auth(gp)).json()] == [
        service.public_id
    ]


def test_the_endpoints_are_in_the_openapi_document(client: Client, shared_world: World) -> None:
    paths = client.get("/api/openapi.json", **auth(shared_world.users["gp"])).json()["paths"]
    for path in (
        "/api/care/referrals",
        "/api/care/referrals/{referral_id}",
        "/api/care/referrals/{referral_id}/move",
        "/api/care/referrals/{referral_id}/reroute",
        "/api/care/services",
    ):
        assert path in paths


def test_an_organisation_party_to_neither_is_refused_and_the_refusal_is_the_decisions(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    pharmacist = shared_world.users["pharmacist"]
    refused = client.get(f"/api/care/referrals/{referral.public_id}", **auth(pharmacist))
    assert refused.status_code == 403 and "Zephyrine" not in refused.content.decode()
    event = AuditEvent.objects.filter(action="referral.read").get()
    assert (event.outcome, event.target_id, event.detail["code"]) == (
        "denied",
        referral.public_id,
        "not-referral-party",
    )
    for box in ("inbox", "outbox"):
        assert client.get(f"/api/care/referrals?box={box}", **auth(pharmacist)).json() == []


def test_the_inbox_costs_no_query_per_referral(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    headers = auth(shared_world.users["voluntary"])

    def queries_for_inbox() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/care/referrals?box=inbox", **headers).status_code == 200
        return len(captured)

    make_referral(S.REQUESTED)
    one = queries_for_inbox()
    for _ in range(5):
        make_referral(S.REQUESTED)
    assert queries_for_inbox() == one

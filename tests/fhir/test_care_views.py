"""FHIR Task and ServiceRequest: read, search, and PUT / JSON Patch moves, as the table allows.

Every resource returned is parsed by a standard client's strict R4 models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from icp.audit.models import AuditEvent
from icp.care.referrals.models import Referral
from icp.care.referrals.states import MOVES, Party, TaskStatus
from icp.fhir import care
from icp.partnership.models import ApiToken, User
from tests.care.referrals.conftest import ALL_ROLES, make_referral, other_service, service, user_in
from tests.care.referrals.test_actions import CARE_ROLES
from tests.fhir.test_views import valid
from tests.sharing.conftest import World

__all__ = ["make_referral", "other_service", "service", "user_in"]
S = TaskStatus


def auth(user: User) -> dict[str, str]:
    _, key = ApiToken.issue(user, "fhir tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def put(client: Client, referral: Referral, user: User, status: str, **headers: str) -> Any:
    body = care.task(referral)
    body["status"] = status
    body["statusReason"] = {"text": "Not something we can help with (synthetic)"}
    body["output"] = [{"type": {"text": "outcome"}, "valueString": "Weekly visits arranged (synthetic)"}]
    return client.put(
        f"/fhir/Task/{referral.public_id}",
        json.dumps(body),
        content_type="application/fhir+json",
        **auth(user),
        **headers,
    )


def patch(
    client: Client, referral: Referral, user: User, operations: list[dict[str, Any]], **headers: str
) -> Any:
    return client.patch(
        f"/fhir/Task/{referral.public_id}",
        json.dumps(operations),
        content_type="application/json-patch+json",
        **auth(user),
        **headers,
    )


def _expected(source: TaskStatus, target: TaskStatus, party: Party) -> int:
    if party == Party.OWNER and source == S.DRAFT:
        return 403
    if source == target:
        return 422  # not a move at all
    return 200 if (source, target, party) in MOVES else 422


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("party", list(Party))
def test_every_move_through_fhir(
    client: Client, shared_world: World, make_referral: Callable[..., Referral], party: Party, method: str
) -> None:
    user = shared_world.users["gp" if party == Party.REQUESTER else "voluntary"]
    wrong = []
    for source in TaskStatus:
        for target in TaskStatus:
            referral = make_referral(source)
            if method == "PUT":
                response = put(client, referral, user, target)
            else:
                operations = [{"op": "replace", "path": "/status", "value": target.value}]
                if target == S.REJECTED:
                    operations.append(
                        {"op": "add", "path": "/statusReason", "value": {"text": "Full (synthetic)"}}
                    )
                response = patch(client, referral, user, operations)
            expected = _expected(source, target, party)
            body = response.json()
            if response.status_code != expected:
                wrong.append(f"{source}->{target}: {response.status_code} {body}")
            elif expected == 200:
                assert valid(body)["status"] == target and response["ETag"] == f'W/"{referral.version + 1}"'
            else:
                assert body["resourceType"] == "OperationOutcome"
                assert body["issue"][0]["code"] in ("business-rule", "forbidden")
    assert wrong == []


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_through_fhir(
    client: Client, make_referral: Callable[..., Referral], user_in: Callable[[str, str], User], role: str
) -> None:
    for org, target in (("practice_a", S.CANCELLED), ("voluntary", S.ACCEPTED), ("pharmacy", S.ACCEPTED)):
        referral = make_referral(S.REQUESTED)
        user = user_in(role, org)
        expected = 200 if org != "pharmacy" and role in CARE_ROLES else 403
        assert client.get(f"/fhir/Task/{referral.public_id}", **auth(user)).status_code == expected, (
            org,
            role,
        )
        assert (
            client.get(f"/fhir/ServiceRequest/{referral.public_id}", **auth(user)).status_code == expected
        ), (org, role)
        assert put(client, referral, user, target).status_code == expected, (org, role)


def test_a_refused_move_is_a_422_operation_outcome_saying_why(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    response = put(client, referral, shared_world.users["gp"], S.ACCEPTED)
    assert response.status_code == 422
    outcome = valid(response.json())
    assert outcome["issue"][0]["diagnostics"].startswith("Only the owner's organisation may move a requested")


def test_versions_etag_and_if_match(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    voluntary = shared_world.users["voluntary"]
    read = client.get(f"/fhir/Task/{referral.public_id}", **auth(voluntary))
    assert read["ETag"] == 'W/"1"' and read.json()["meta"]["versionId"] == "1"
    stale = put(client, referral, voluntary, S.ACCEPTED, HTTP_IF_MATCH='W/"0"')
    assert stale.status_code == 412
    fresh = put(client, referral, voluntary, S.ACCEPTED, HTTP_IF_MATCH=read["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] == 'W/"2"'
    again = patch(
        client,
        referral,
        voluntary,
        [{"op": "replace", "path": "/status", "value": "in-progress"}],
        HTTP_IF_MATCH='W/"1"',
    )
    assert again.status_code == 412


def test_writes_need_a_token_and_bad_bodies_are_400s(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    voluntary = shared_world.users["voluntary"]
    client.force_login(voluntary)
    session = client.put(f"/fhir/Task/{referral.public_id}", "{}", content_type="application/fhir+json")
    assert session.status_code == 401
    client.logout()
    assert (
        client.put(
            f"/fhir/Task/{referral.public_id}",
            "not json",
            content_type="application/fhir+json",
            **auth(voluntary),
        ).status_code
        == 400
    )
    assert (
        client.put(
            f"/fhir/Task/{referral.public_id}",
            json.dumps({"resourceType": "Patient"}),
            content_type="application/fhir+json",
            **auth(voluntary),
        ).status_code
        == 400
    )
    bad_patch = patch(client, referral, voluntary, [{"op": "replace", "path": "/nothing/here", "value": 1}])
    assert bad_patch.status_code == 422
    assert client.delete(f"/fhir/Task/{referral.public_id}", **auth(voluntary)).status_code == 405


def test_search_tasks_without_a_patient_and_by_parameters(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    requested, accepted, draft = make_referral(S.REQUESTED), make_referral(S.ACCEPTED), make_referral(S.DRAFT)
    voluntary, gp = shared_world.users["voluntary"], shared_world.users["gp"]

    def ids(url: str, user: User) -> set[str]:
        response = client.get(url, **auth(user))
        assert response.status_code == 200, response.content
        return {entry["resource"]["id"] for entry in valid(response.json())["entry"]}

    assert ids("/fhir/Task", voluntary) == {requested.public_id, accepted.public_id}  # no drafts
    assert ids("/fhir/Task", gp) == {requested.public_id, accepted.public_id, draft.public_id}
    assert ids("/fhir/Task?status=accepted", voluntary) == {accepted.public_id}
    assert ids("/fhir/Task?owner=Organization/T-VOL&status=requested", gp) == {requested.public_id}
    assert ids(f"/fhir/Task?requester=Organization/{shared_world.orgs['practice_a'].code}", voluntary) == {
        requested.public_id,
        accepted.public_id,
    }
    assert ids("/fhir/Task?patient=Patient/pt-alice-0001&status=draft", gp) == {draft.public_id}
    assert ids("/fhir/Task", shared_world.users["pharmacist"]) == set()
    assert ids("/fhir/ServiceRequest?patient=pt-alice-0001", voluntary) == {
        requested.public_id,
        accepted.public_id,
    }
    assert client.get("/fhir/Task?status=bogus", **auth(gp)).status_code == 400
    assert AuditEvent.objects.filter(action="fhir.search", actor_username="voluntary").exists()


def test_the_capability_statement_lists_task_writes(client: Client, db: None) -> None:
    resources = {r["type"]: r for r in client.get("/fhir/metadata").json()["rest"][0]["resource"]}
    assert {"update", "patch"} <= {i["code"] for i in resources["Task"]["interaction"]}
    assert {"status", "owner", "requester", "patient"} <= {
        p["name"] for p in resources["Task"]["searchParam"]
    }
    assert "ServiceRequest" in resources


def test_care_plans_and_goals_read_and_search_under_the_access_decision(
    client: Client, shared_world: World
) -> None:
    from icp.care.pathways.actions import enrol
    from icp.care.plans.actions import create_care_plan

    enrolment = enrol(
        patient=shared_world.patients["alice"], pathway_id="falls", reason="x", by=shared_world.users["gp"]
    )
    plan = create_care_plan(
        patient=shared_world.patients["alice"],
        by=shared_world.users["gp"],
        enrolment=enrolment,
        goals=["Stay steady"],
    )
    gp = shared_world.users["gp"]
    response = client.get("/fhir/CarePlan?patient=Patient/pt-alice-0001&status=active", **auth(gp))
    bundle = valid(response.json())
    [entry] = bundle["entry"]
    assert entry["resource"]["id"] == plan.public_id and entry["resource"]["goal"]
    read = client.get(f"/fhir/CarePlan/{plan.public_id}", **auth(gp))
    assert valid(read.json())["title"] == "Falls prevention care plan" and read["ETag"] == 'W/"1"'
    goals = valid(client.get("/fhir/Goal?patient=pt-alice-0001", **auth(gp)).json())
    goal = goals["entry"][0]["resource"]
    assert goal["description"] == {"text": "Stay steady"} and goal["expressedBy"] == {
        "reference": "Patient/pt-alice-0001"
    }
    assert valid(client.get(f"/fhir/Goal/{goal['id']}", **auth(gp)).json())["id"] == goal["id"]
    # The other practice's GP has no relationship with Alice: 403, audited.
    refused = client.get(f"/fhir/CarePlan/{plan.public_id}", **auth(shared_world.users["gp_b"]))
    assert refused.status_code == 403 and valid(refused.json())["resourceType"] == "OperationOutcome"
    assert client.get("/fhir/CarePlan", **auth(gp)).status_code == 400
    assert AuditEvent.objects.filter(
        action="fhir.read", patient_ref="pt-alice-0001", outcome="denied"
    ).exists()


@pytest.mark.parametrize("resource", ["Task", "ServiceRequest"])
def test_an_organisation_party_to_neither_is_refused_the_read_and_finds_nothing_in_a_search(
    client: Client, shared_world: World, make_referral: Callable[..., Referral], resource: str
) -> None:
    referral = make_referral(S.REQUESTED)
    pharmacist = shared_world.users["pharmacist"]
    refused = client.get(f"/fhir/{resource}/{referral.public_id}", **auth(pharmacist))
    assert refused.status_code == 403 and "Zephyrine" not in refused.content.decode()
    assert valid(refused.json())["issue"][0]["code"] == "forbidden"
    event = AuditEvent.objects.filter(action="fhir.read", actor_username="pharmacist").get()
    assert (event.outcome, event.target_id, event.detail["code"]) == (
        "denied",
        referral.public_id,
        "not-referral-party",
    )
    for search in (f"/fhir/{resource}", f"/fhir/{resource}?patient=Patient/pt-alice-0001"):
        assert valid(client.get(search, **auth(pharmacist)).json())["total"] == 0


def test_a_task_is_read_for_the_users_care_purpose_unless_another_is_named(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    """A voluntary worker does care coordination: no header reads for that; naming emergency
    response, which the role does not do, is refused by the decision (and audited)."""
    referral = make_referral(S.REQUESTED)
    voluntary = auth(shared_world.users["voluntary"])
    assert client.get(f"/fhir/Task/{referral.public_id}", **voluntary).status_code == 200
    event = AuditEvent.objects.filter(action="fhir.read").latest("id")
    assert (event.purpose, event.detail["party"]) == ("care_coordination", "owner")
    named = client.get(f"/fhir/Task/{referral.public_id}", HTTP_X_PURPOSE_OF_USE="emergency", **voluntary)
    assert named.status_code == 403 and "emergency response" in named.json()["issue"][0]["diagnostics"]


def test_a_json_patch_test_on_a_task_the_user_may_not_see_learns_nothing(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    probe = [{"op": "test", "path": "/for/display", "value": "Alice Zephyrine"}]
    response = patch(client, referral, shared_world.users["pharmacist"], probe)
    assert response.status_code == 403 and "display" not in response.content.decode()

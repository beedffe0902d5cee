"""The sharing JSON API: the same decision, the same audit, nothing leaking in refusals."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from icp.audit.models import AuditEvent
from icp.partnership.models import ApiToken
from icp.records.warehouse import Warehouse
from icp.sharing.models import BreakGlass, DataSharingAgreement
from icp.sharing.vocabulary import AgreementStatus, ChoiceKind, ChoiceValue
from tests.sharing.conftest import World
from tests.sharing.test_views import leaked


def bearer(world: World, name: str) -> dict[str, str]:
    _, key = ApiToken.issue(world.users[name], "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_decision_endpoint_answers_and_audits(client: Client, shared_world: World) -> None:
    response = client.get(
        "/api/sharing/decision",
        {"patient_id": "pt-alice-0001", "purpose": "direct_care", "category": "conditions"},
        **bearer(shared_world, "pharmacist"),
    )
    body = response.json()
    assert response.status_code == 200 and body["allowed"] is False and body["code"] == "no-relationship"
    assert AuditEvent.objects.filter(
        action="api.decision", outcome="denied", actor_username="pharmacist"
    ).exists()


def test_record_endpoint_gives_the_gp_the_record_and_the_pharmacist_only_reasons(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    url = "/api/sharing/patients/pt-alice-0001/record"
    gp = client.get(url, **bearer(shared_world, "gp")).json()
    assert gp["demographics"]["family_name"] == "Zephyrine"
    conditions = next(s for s in gp["sections"] if s["category"] == "conditions")
    assert conditions["allowed"] and conditions["rows"][0]["condition_id"] == "alice-c2"
    pharmacist = client.get(url, **bearer(shared_world, "pharmacist"))
    assert pharmacist.status_code == 403  # a refused read says so; never a 200 with empty sections
    assert "no legitimate relationship" in pharmacist.json()["detail"]
    assert not leaked(pharmacist.content.decode())


@pytest.mark.parametrize("user", ["gp", "analyst", "manager"])
def test_record_endpoint_refuses_the_planning_purpose(
    client: Client, shared_world: World, warehouse: Warehouse, user: str
) -> None:
    url = "/api/sharing/patients/pt-alice-0001/record?purpose=planning"
    response = client.get(url, **bearer(shared_world, user))
    assert response.status_code == 403 and not leaked(response.content.decode())


def test_record_endpoint_404s_an_unknown_id(client: Client, shared_world: World) -> None:
    response = client.get("/api/sharing/patients/pt-nobody/record", **bearer(shared_world, "gp"))
    assert response.status_code == 404


def test_unauthenticated_api_calls_are_refused_without_data(client: Client, shared_world: World) -> None:
    for url in (
        "/api/sharing/patients/pt-alice-0001/record",
        "/api/sharing/patients?national_id=3201234567",
        "/api/sharing/decision?patient_id=pt-alice-0001&purpose=direct_care",
        "/api/sharing/agreements",
    ):
        response = client.get(url)
        assert response.status_code == 401 and not leaked(response.content.decode())
    bad = client.get("/api/sharing/agreements", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert bad.status_code == 401


def test_search_endpoint_respects_relationships(client: Client, shared_world: World) -> None:
    gp = client.get("/api/sharing/patients", {"name": "Zephyrine"}, **bearer(shared_world, "gp")).json()
    assert [p["patient_id"] for p in gp] == ["pt-alice-0001"]
    other = client.get(
        "/api/sharing/patients", {"national_id": "3201234567"}, **bearer(shared_world, "other_gp")
    )
    assert other.json() == [] and not leaked(other.content.decode())
    refused = client.get("/api/sharing/patients", {"name": "Zephyrine"}, **bearer(shared_world, "iglead"))
    assert refused.status_code == 403 and not leaked(refused.content.decode())


def test_agreements_are_drafted_from_templates_and_signed_by_governors_only(
    client: Client, world: World
) -> None:
    body = json.dumps({"template": "community-support"})
    refused = client.post(
        "/api/sharing/agreements", body, content_type="application/json", **bearer(world, "gp")
    )
    assert refused.status_code == 403
    made = client.post(
        "/api/sharing/agreements", body, content_type="application/json", **bearer(world, "iglead")
    )
    assert made.status_code == 201
    created = made.json()
    assert created["status"] == "draft" and "care_coordination" in created["purposes"]
    assert "T-VOL" in created["parties"] and world.orgs["practice_a"].code in created["parties"]
    signed = client.post(f"/api/sharing/agreements/{created['id']}/sign", **bearer(world, "iglead"))
    assert signed.json()["effective_status"] == "signed"
    assert DataSharingAgreement.objects.get().status == AgreementStatus.SIGNED
    bad = client.post(
        "/api/sharing/agreements",
        json.dumps({"template": "nope"}),
        content_type="application/json",
        **bearer(world, "iglead"),
    )
    assert bad.status_code == 422 and "template" in bad.json()["detail"]


def test_break_glass_endpoint(client: Client, shared_world: World) -> None:
    response = client.post(
        "/api/sharing/patients/pt-alice-0001/break-glass",
        json.dumps({"reason": "Collapsed in the pharmacy, unresponsive"}),
        content_type="application/json",
        **bearer(shared_world, "pharmacist"),
    )
    assert response.status_code == 201 and BreakGlass.objects.count() == 1
    short = client.post(
        "/api/sharing/patients/pt-alice-0001/break-glass",
        json.dumps({"reason": "x"}),
        content_type="application/json",
        **bearer(shared_world, "pharmacist"),
    )
    assert short.status_code == 422


def test_opt_out_count_is_suppressed_when_small_and_refused_to_clinicians(
    client: Client, shared_world: World
) -> None:
    from icp.sharing import actions

    actions.record_choice(
        patient=shared_world.patients["alice"],
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        by=shared_world.users["gp"],
    )
    body = client.get("/api/sharing/opt-outs", **bearer(shared_world, "manager")).json()
    assert body == {"icp": "NI-NOR-CA", "as_of": body["as_of"], "count": None, "suppressed": True}
    assert client.get("/api/sharing/opt-outs", **bearer(shared_world, "gp")).status_code == 403

"""The FHIR R4 API through Django's test client; every resource is checked by a strict R4 parser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from icp.audit.models import AuditEvent
from icp.care import actions as care_actions
from icp.partnership.models import ApiToken
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse
from icp.sharing import actions
from icp.sharing.models import PersonChoice
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue
from tests.sharing.conftest import World
from tests.sharing.test_views import leaked


def token(world: World, name: str) -> dict[str, str]:
    _, key = ApiToken.issue(world.users[name], "fhir tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """Parse with the R4 models of a standard FHIR client (strict: unknown or mistyped fields raise)."""
    FHIRElementFactory.instantiate(body["resourceType"], body)
    for entry in body.get("entry", []):
        FHIRElementFactory.instantiate(entry["resource"]["resourceType"], entry["resource"])
    return body


def get(client: Client, url: str, world: World, user: str, **extra: Any) -> tuple[int, dict[str, Any]]:
    response = client.get(url, **token(world, user), **extra)
    assert response["Content-Type"] == "application/fhir+json"
    return response.status_code, valid(response.json())


def test_capability_statement(client: Client, db: None) -> None:
    response = client.get("/fhir/metadata")
    body = valid(response.json())
    assert body["fhirVersion"] == "4.0.1"
    served = {r["type"] for r in body["rest"][0]["resource"]}
    assert served == {
        "Patient",
        "Condition",
        "Observation",
        "MedicationStatement",
        "Encounter",
        "Consent",
        "AuditEvent",
        "ServiceRequest",
        "Task",
        "CarePlan",
        "CareTeam",
        "Goal",
    }


def test_patient_read_for_the_registered_gp(client: Client, shared_world: World) -> None:
    status, patient = get(client, "/fhir/Patient/pt-alice-0001", shared_world, "gp")
    assert status == 200 and patient["name"][0]["family"] == "Zephyrine"
    assert patient["identifier"][0]["value"] == "3201234567"
    assert patient["meta"]["tag"][0]["code"] == "HTEST"  # synthetic data is labelled
    assert AuditEvent.objects.filter(
        action="fhir.read", outcome="allowed", patient_ref="pt-alice-0001"
    ).exists()


def test_a_patient_links_to_the_other_sources_records_of_the_same_person(
    client: Client, shared_world: World
) -> None:
    """Record linkage reaches the API as FHIR's own "seealso" link, both ways; an unlinked person
    has none."""
    from tests.sharing.policy.conftest import linked_record

    trust_record = linked_record(shared_world, "alice", "practice_b")
    # Linkage gives the primary record its own id as the person's.
    PatientIndex.objects.filter(patient_id="pt-alice-0001").update(person_id="pt-alice-0001")
    _, alice = get(client, "/fhir/Patient/pt-alice-0001", shared_world, "gp")
    trust_reference = f"Patient/{trust_record.patient_id}"
    assert alice["link"] == [{"other": {"reference": trust_reference}, "type": "seealso"}]
    _, other = get(client, f"/fhir/Patient/{trust_record.patient_id}", shared_world, "gp")
    assert other["link"] == [{"other": {"reference": "Patient/pt-alice-0001"}, "type": "seealso"}]
    _, bob = get(client, "/fhir/Patient/pt-bob-0002", shared_world, "gp")
    assert "link" not in bob


@pytest.mark.parametrize("resource_type", ["Condition", "Observation", "MedicationStatement", "Encounter"])
def test_clinical_search_and_read(
    client: Client, shared_world: World, warehouse: Warehouse, resource_type: str
) -> None:
    status, found = get(client, f"/fhir/{resource_type}?patient=pt-alice-0001", shared_world, "gp")
    assert status == 200 and found["type"] == "searchset" and found["total"] >= 1
    first = found["entry"][0]["resource"]
    assert first["subject"]["reference"] == "Patient/pt-alice-0001"
    status, read = get(client, f"/fhir/{resource_type}/{first['id']}", shared_world, "gp")
    assert status == 200 and read == first


def test_search_needs_a_patient(client: Client, shared_world: World) -> None:
    status, outcome = get(client, "/fhir/Condition", shared_world, "gp")
    assert status == 400 and outcome["resourceType"] == "OperationOutcome"


def test_unauthenticated_requests_get_an_operation_outcome_and_nothing_else(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    for url in (
        "/fhir/Patient/pt-alice-0001",
        "/fhir/Condition?patient=pt-alice-0001",
        "/fhir/Patient?identifier=3201234567",
        "/fhir/AuditEvent",
    ):
        response = client.get(url)
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
        assert valid(response.json())["issue"][0]["code"] == "login"
        assert not leaked(response.content.decode())


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("pharmacist", "/fhir/MedicationStatement?patient=pt-alice-0001"),  # no relationship
        ("other_gp", "/fhir/Patient/pt-alice-0001"),  # another ICP
        ("voluntary", "/fhir/Condition?patient=pt-alice-0001"),  # clinical category
        ("iglead", "/fhir/Patient/pt-alice-0001"),  # a role that never reads records
    ],
)
def test_refusals_are_operation_outcomes_that_leak_nothing(
    client: Client, shared_world: World, warehouse: Warehouse, user: str, url: str
) -> None:
    response = client.get(url, **token(shared_world, user))
    assert response.status_code == 403
    body = valid(response.json())
    assert body["issue"][0]["code"] == "forbidden" and body["issue"][0]["diagnostics"]
    assert not leaked(response.content.decode())
    assert AuditEvent.objects.filter(
        actor_username=user, outcome="denied", patient_ref="pt-alice-0001"
    ).exists()


def test_reading_another_persons_row_by_id_is_not_found(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    # Carol's condition is in another ICP's partition: the GP cannot even learn it exists.
    status, outcome = get(client, "/fhir/Condition/carol-c1", shared_world, "gp")
    assert status == 404 and outcome["issue"][0]["code"] == "not-found"
    # Bob's condition is in the GP's ICP but Bob is not the GP's patient.
    status, outcome = get(client, "/fhir/Condition/bob-c1", shared_world, "gp")
    assert status == 403


def test_withdrawn_consent_stops_the_fhir_api_too(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    w = shared_world
    care_actions.add_care_team_member(
        patient=w.patients["alice"], organisation=w.orgs["pharmacy"], by=w.users["gp"]
    )
    assert get(client, "/fhir/MedicationStatement?patient=pt-alice-0001", w, "pharmacist")[0] == 200
    actions.record_choice(
        patient=w.patients["alice"],
        kind=ChoiceKind.DIRECT_CARE_CONSENT,
        value=ChoiceValue.WITHDRAWN,
        by=w.users["gp"],
    )
    status, outcome = get(client, "/fhir/MedicationStatement?patient=pt-alice-0001", w, "pharmacist")
    assert status == 403 and "withdrawn consent" in outcome["issue"][0]["diagnostics"]


def test_purpose_of_use_header(client: Client, shared_world: World) -> None:
    w = shared_world
    status, _ = get(client, "/fhir/Patient/pt-bob-0002", w, "ambulance", HTTP_X_PURPOSE_OF_USE="ETREAT")
    assert status == 200
    status, _ = get(client, "/fhir/Patient/pt-bob-0002", w, "ambulance")  # direct care: no relationship
    assert status == 403
    status, outcome = get(client, "/fhir/Patient/pt-bob-0002", w, "ambulance", HTTP_X_PURPOSE_OF_USE="NOSY")
    assert status == 400 and "X-Purpose-Of-Use" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize("user", ["gp", "gp_b", "analyst", "manager"])
@pytest.mark.parametrize("code", ["HOPERAT", "planning"])
def test_the_planning_purpose_never_opens_a_named_record(
    client: Client, shared_world: World, warehouse: Warehouse, user: str, code: str
) -> None:
    w = shared_world
    for url in ("/fhir/Patient/pt-alice-0001", "/fhir/Condition?patient=pt-alice-0001"):
        status, outcome = get(client, url, w, user, HTTP_X_PURPOSE_OF_USE=code)
        assert status == 403 and outcome["resourceType"] == "OperationOutcome"
        assert "aggregate or pseudonymised" in outcome["issue"][0]["diagnostics"]
        assert not leaked(str(outcome))


def test_patient_search_by_identifier_and_name(client: Client, shared_world: World) -> None:
    w = shared_world
    status, found = get(client, "/fhir/Patient?identifier=https://fhir.hscni.net/Id/hcn|3201234567", w, "gp")
    assert status == 200 and [e["resource"]["id"] for e in found["entry"]] == ["pt-alice-0001"]
    status, found = get(client, "/fhir/Patient?family=Quillfeather", w, "gp")
    assert status == 200 and found["total"] == 0


def test_consent_resources_carry_the_persons_choices(client: Client, shared_world: World) -> None:
    w = shared_world
    actions.record_choice(
        patient=w.patients["alice"],
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        by=w.users["gp"],
    )
    status, found = get(client, "/fhir/Consent?patient=pt-alice-0001", w, "gp")
    assert status == 200 and found["total"] == 1
    consent = found["entry"][0]["resource"]
    assert consent["status"] == "active" and consent["provision"]["type"] == "deny"
    assert get(client, f"/fhir/Consent/{consent['id']}", w, "gp")[1] == consent
    assert get(client, "/fhir/Consent?patient=pt-alice-0001", w, "pharmacist")[0] == 403


def test_consent_ids_are_opaque_not_the_database_key(client: Client, shared_world: World) -> None:
    """A Consent id says nothing of how many choices there are or their order, and the database key
    (the id it once was, `choice-<key>`) finds nothing."""
    w = shared_world
    for kind, value in (
        (ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT),
        (ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.WITHDRAWN),
    ):
        actions.record_choice(patient=w.patients["alice"], kind=kind, value=value, by=w.users["gp"])
    consents = [
        e["resource"] for e in get(client, "/fhir/Consent?patient=pt-alice-0001", w, "gp")[1]["entry"]
    ]
    choices = {c.public_id: c for c in PersonChoice.objects.filter(patient=w.patients["alice"])}
    assert {c["id"] for c in consents} == set(choices) and len(choices) == 2
    for consent in consents:
        key = choices[consent["id"]].pk
        assert re.fullmatch(r"[0-9a-f]{20}", consent["id"])
        assert get(client, f"/fhir/Consent/{consent['id']}", w, "gp")[1] == consent
        for old in (f"choice-{key}", str(key)):
            assert get(client, f"/fhir/Consent/{old}", w, "gp")[0] == 404
    # Stable: the same choice has the same id on every read.
    again = get(client, "/fhir/Consent?patient=pt-alice-0001", w, "gp")[1]["entry"]
    assert {e["resource"]["id"] for e in again} == set(choices)


def test_audit_events_for_the_ig_lead_only(client: Client, shared_world: World) -> None:
    w = shared_world
    client.get("/fhir/Patient/pt-alice-0001", **token(w, "pharmacist"))
    status, found = get(client, "/fhir/AuditEvent?patient=pt-alice-0001&outcome=4", w, "iglead")
    assert status == 200 and found["total"] >= 1
    event = found["entry"][0]["resource"]
    assert event["outcome"] == "4" and event["agent"][0]["who"]["identifier"]["value"] == "pharmacist"
    assert any(d["type"] == "hash" for d in event["entity"][-1]["detail"])
    assert get(client, f"/fhir/AuditEvent/{event['id']}", w, "iglead")[1] == event
    # The id is the event's keyed hash, fixed once written: not its place in the chain or its key.
    stored = AuditEvent.objects.get(hash=event["id"])
    assert get(client, f"/fhir/AuditEvent/{stored.pk}", w, "iglead")[0] == 404
    assert get(client, f"/fhir/AuditEvent/{stored.sequence}", w, "iglead")[0] == 404
    for user in ("pharmacist", "manager", "other_gp"):
        status, _ = get(client, "/fhir/AuditEvent", w, user)
        assert status == 403
    # The registered practice may read its own patient's access log, and no one else's.
    assert get(client, "/fhir/AuditEvent?patient=pt-alice-0001", w, "gp")[0] == 200
    assert get(client, "/fhir/AuditEvent?patient=pt-bob-0002", w, "gp")[0] == 403


def test_unserved_resource_types_say_so(client: Client, shared_world: World) -> None:
    response = client.get("/fhir/Immunization?patient=pt-alice-0001", **token(shared_world, "gp"))
    assert response.status_code == 404 and valid(response.json())["issue"][0]["code"] == "not-supported"

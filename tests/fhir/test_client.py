"""A standard FHIR client library (fhirclient, R4 models) reads icp's FHIR API over HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fhirclient import client as fhir_client
from fhirclient.models.condition import Condition
from fhirclient.models.encounter import Encounter
from fhirclient.models.medicationstatement import MedicationStatement
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRNotFoundException, FHIRPermissionDeniedException

from icp.partnership.models import ApiToken
from icp.records.warehouse import Warehouse
from tests.sharing.conftest import World


@pytest.fixture
def sessions() -> Iterator[list[Any]]:
    """Close each client's HTTP session at the end, so no server thread waits on a kept-alive socket."""
    opened: list[Any] = []
    yield opened
    for session in opened:
        session.close()


def connect(live_server: Any, world: World, user: str, sessions: list[Any]) -> fhir_client.FHIRClient:
    assert live_server.url.startswith(("http://localhost", "http://127.0.0.1"))  # loopback only
    smart = fhir_client.FHIRClient(settings={"app_id": "icp-tests", "api_base": f"{live_server.url}/fhir/"})
    _, key = ApiToken.issue(world.users[user], "fhirclient test")
    smart.server.session.headers["Authorization"] = f"Bearer {key}"
    sessions.append(smart.server.session)
    return smart


def test_fhirclient_reads_and_searches_the_shared_care_record(
    transactional_db: None, live_server: Any, shared_world: World, warehouse: Warehouse, sessions: list[Any]
) -> None:
    smart = connect(live_server, shared_world, "gp", sessions)
    smart.prepare()  # fetches and parses /fhir/metadata
    assert smart.server.capabilityStatement.fhirVersion == "4.0.1"
    patient = Patient.read("pt-alice-0001", smart.server)
    assert patient.name[0].family == "Zephyrine" and patient.birthDate.isostring == "1941-03-02"
    conditions = list(
        Condition.where(struct={"patient": "pt-alice-0001"}).perform_resources_iter(smart.server)
    )
    assert {c.code.coding[0].code for c in conditions} == {"13645005", "44054006"}
    for resource in (Observation, MedicationStatement, Encounter):
        found = list(resource.where(struct={"patient": "pt-alice-0001"}).perform_resources_iter(smart.server))
        assert found and all(r.subject.reference == "Patient/pt-alice-0001" for r in found)
    found = list(Patient.where(struct={"identifier": "3201234567"}).perform_resources_iter(smart.server))
    assert [p.id for p in found] == ["pt-alice-0001"]


def test_fhirclient_sees_refusals_as_http_errors(
    transactional_db: None, live_server: Any, shared_world: World, warehouse: Warehouse, sessions: list[Any]
) -> None:
    pharmacist = connect(live_server, shared_world, "pharmacist", sessions)
    with pytest.raises(FHIRPermissionDeniedException) as denied:
        Patient.read("pt-alice-0001", pharmacist.server)
    assert b"Zephyrine" not in denied.value.response.content
    with pytest.raises(FHIRNotFoundException):
        Patient.read("pt-nobody", pharmacist.server)

"""Pathway pages: enrol from the person's page and from the worklist, leave, caseloads."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from icp.audit.models import AuditEvent
from icp.care.pathways.actions import enrol
from icp.care.pathways.models import Enrolment
from icp.patients.models import RiskResult
from tests.sharing.conftest import World


def test_enrol_from_the_person_page_and_leave(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    alice = shared_world.patients["alice"]
    risk_for(alice, age=84, efi_category="severe", registers=["copd"])
    client.force_login(shared_world.users["gp"])
    page = client.get("/care/person/pt-alice-0001/").content.decode()
    assert "Meets the entry criteria of: <strong>Frailty</strong>" in page
    client.post(
        "/care/person/pt-alice-0001/enrol/", {"pathway": "frailty", "reason": "Severe frailty, falls"}
    )
    enrolment = Enrolment.objects.get()
    page = client.get("/care/person/pt-alice-0001/").content.decode()
    assert "Enrolled" in page and "Severe frailty, falls" in page and "<strong>Frailty</strong>" not in page
    client.post(f"/care/enrolments/{enrolment.public_id}/leave/", {"reason": "declined", "note": "synthetic"})
    enrolment.refresh_from_db()
    assert enrolment.end_reason == "declined"


def test_enrol_a_selection_from_the_worklist(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    alice, bob = shared_world.patients["alice"], shared_world.patients["bob"]
    risk_for(alice)
    client.force_login(shared_world.users["gp"])
    worklist = client.get(f"/care/practice/{shared_world.orgs['practice_a'].code}/worklist/").content.decode()
    assert 'form="enrol-form"' in worklist and "Enrol selected" in worklist
    response = client.post(
        f"/care/practice/{shared_world.orgs['practice_a'].code}/enrol/",
        {"patient": [alice.patient_id, bob.patient_id], "pathway": "falls", "reason": "Falls review list"},
        follow=True,
    )
    # Bob is another practice's: not taken from this practice's worklist at all.
    assert [e.patient.patient_id for e in Enrolment.objects.all()] == ["pt-alice-0001"]
    assert "Enrolled 1 person" in response.content.decode()


def test_a_person_page_needs_the_access_decision(client: Client, shared_world: World) -> None:
    client.force_login(shared_world.users["gp"])
    assert client.get("/care/person/pt-bob-0002/").status_code == 403
    assert AuditEvent.objects.filter(
        action="care.person.view", outcome="denied", patient_ref="pt-bob-0002"
    ).exists()
    client.force_login(shared_world.users["manager"])
    assert client.get("/care/person/pt-alice-0001/").status_code == 403


def test_the_practice_caseload_and_the_icp_caseloads(client: Client, shared_world: World) -> None:
    enrol(patient=shared_world.patients["alice"], pathway_id="copd", reason="x", by=shared_world.users["gp"])
    code = shared_world.orgs["practice_a"].code
    client.force_login(shared_world.users["gp"])
    caseload = client.get(f"/care/practice/{code}/caseload/?pathway=copd").content.decode()
    assert "ZEPHYRINE, Alice" in caseload
    assert "Chronic obstructive pulmonary disease (COPD)</div>" in caseload  # the pathway in words
    assert client.get(f"/care/icp/{shared_world.icp.code}/caseload/").status_code == 403
    client.force_login(shared_world.users["manager"])
    page = client.get(f"/care/icp/{shared_world.icp.code}/caseload/").content.decode()
    assert "&lt;8" in page and "Zephyrine" not in page and "ZEPHYRINE" not in page
    assert client.get(f"/care/practice/{code}/caseload/").status_code == 403

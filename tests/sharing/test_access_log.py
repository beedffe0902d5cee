"""A person's access log shows every read of their record on every surface: the record page, the risk
page, search hits, worklist views and exports (saying how many people were listed, not who), the
choices page; FHIR AuditEvent shows other users' names only to the IG lead; the IG lead's
subject-access export carries the same log. Each surface is exercised for real, then the log read."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from django.test import Client

from icp.audit.models import AuditEvent, AuditEventSubject
from icp.jobs import runner
from icp.jobs.models import Job, JobKind, JobStatus
from icp.partnership.models import User
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse
from tests.care.test_risk_pages import synced, worklist_url  # noqa: F401  (the synced fixture)
from tests.sharing.conftest import World

ALICE = "pt-alice-0001"
LOG = f"/sharing/patients/{ALICE}/access-log/"


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def every_surface(synced: World, warehouse: Warehouse) -> World:  # noqa: F811
    """Alice's record read on every surface, by the GP of her practice and by the analyst."""
    gp = as_user(Client(), synced.users["gp"])
    assert gp.get(f"/sharing/patients/{ALICE}/").status_code == 200
    assert gp.get(f"/care/person/{ALICE}/risk/").status_code == 200
    assert gp.get("/sharing/patients/", {"name": "zephyr"}).status_code == 200
    assert gp.get(worklist_url(synced)).status_code == 200
    csv = gp.get(worklist_url(synced).replace("worklist/", "worklist.csv"))
    assert csv.status_code == 200
    b"".join(csv.streaming_content)  # type: ignore[attr-defined]
    assert gp.get(f"/sharing/patients/{ALICE}/choices/").status_code == 200
    analyst = as_user(Client(), synced.users["analyst"])
    assert analyst.get(worklist_url(synced)).status_code == 200  # pseudonymised, but about Alice
    return synced


def test_every_surface_that_read_alices_record_is_in_her_access_log(
    every_surface: World, client: Client
) -> None:
    page = as_user(client, every_surface.users["gp"]).get(LOG).content.decode()
    for what in (
        "Shared care record page",
        "Risk explanation page",
        "Search results (listed among 1 person)",
        "Practice case-finding worklist (listed among",
        "Practice case-finding worklist downloaded (CSV) (listed among",
        "Choices page",
    ):
        assert what in page, what
    # The analyst's pseudonymised view is there too, by organisation and role.
    assert page.count("Practice case-finding worklist (listed among") == 2 and "Analyst" in page
    # The practice sees organisations and roles, never the usernames of other staff.
    assert '<th scope="col" class="nhsuk-table__header">User</th>' not in page


def test_an_event_about_several_people_names_each_of_them_and_says_who_only_by_count(
    every_surface: World,
) -> None:
    export = AuditEvent.objects.filter(action="worklist.export").latest("sequence")
    listed = set(AuditEventSubject.objects.filter(event=export).values_list("patient_ref", flat=True))
    assert ALICE in listed and export.detail["subjects"]["count"] == len(listed)
    assert AuditEvent.objects.about(ALICE).filter(pk=export.pk).exists()
    assert not AuditEvent.objects.about("pt-nobody").exists()


def test_the_ig_lead_sees_usernames_in_the_log_and_the_practice_does_not(
    every_surface: World, client: Client
) -> None:
    page = as_user(client, every_surface.users["iglead"]).get(LOG).content.decode()
    assert ">analyst<" in page and ">gp<" in page
    assert "subject-access export" in page


def test_fhir_audit_event_names_other_users_only_to_the_ig_lead(every_surface: World) -> None:
    from icp.partnership.models import ApiToken

    def bundle(user: User) -> dict:  # type: ignore[type-arg]
        _, key = ApiToken.issue(user, "audit test")
        response = Client().get(
            f"/fhir/AuditEvent?patient={ALICE}&_count=200", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
        assert response.status_code == 200
        return json.loads(response.content)

    def agents(found: dict) -> set[str]:  # type: ignore[type-arg]
        return {
            str(agent["who"].get("identifier", {}).get("value", ""))
            for entry in found["entry"]
            for agent in entry["resource"]["agent"]
        }

    practice_view = bundle(every_surface.users["gp"])
    assert agents(practice_view) == {""}  # no usernames, the GP's own included
    actions = {entry["resource"]["subtype"][0]["code"] for entry in practice_view["entry"]}
    assert {
        "worklist.view",
        "worklist.export",
        "patient.search",
        "risk.person.view",
        "choice.view",
    } <= actions
    assert {"gp", "analyst"} <= agents(bundle(every_surface.users["iglead"]))


def test_the_subject_access_export_holds_the_record_and_the_whole_log(
    every_surface: World, client: Client
) -> None:
    iglead = as_user(client, every_surface.users["iglead"])
    page = iglead.get(f"/sharing/patients/{ALICE}/subject-access/")
    assert page.status_code == 200 and "Review before you send it" in page.content.decode()
    started = iglead.post(*_start_export())
    job = Job.objects.get(kind=JobKind.SUBJECT_ACCESS)
    assert started.status_code == 302 and started["Location"] == f"/jobs/{job.pk}/"
    assert runner.run(job.pk) == JobStatus.DONE  # what `icp worker` does with it
    job.refresh_from_db()
    assert ALICE not in job.result_file and "zephyr" not in job.outcome.lower()
    response = iglead.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    content = json.loads(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert content["person"]["family_name"].upper() == "ZEPHYRINE"
    # Her latest risk, dated by the run it came from.
    latest_risk = content["person"]["latest_risk"]
    assert latest_risk["tier"]
    assert latest_risk["as_of"] == "2025-11-01"
    assert any(
        "Chronic obstructive lung disease (alice)" in json.dumps(rows) for rows in content["record"].values()
    )
    whats = {line["what"] for line in content["access_log"]}
    assert any(what.startswith("Risk explanation page") for what in whats) and "Choices page" in whats
    assert all("user" not in line for line in content["access_log"])  # staff usernames stay with the IG lead
    event = AuditEvent.objects.get(action="subject_access.export", outcome="allowed")
    assert event.actor_username == "iglead" and event.patient_ref == ALICE
    assert event.detail["access_log_events"] == len(content["access_log"])
    assert AuditEvent.objects.get(action="job.download").patient_ref == ALICE


def _start_export(patient_id: str = ALICE) -> tuple[str, dict[str, str]]:
    icp = PatientIndex.objects.get(patient_id=ALICE).icp.code
    return f"/jobs/icp/{icp}/start/", {"kind": "subject_access", "patient_id": patient_id}


@pytest.mark.parametrize("who", ["gp", "manager", "other_iglead"])
def test_only_the_ig_lead_of_the_persons_icp_produces_the_export(
    every_surface: World, client: Client, who: str
) -> None:
    user = User.objects.get(username=who)
    response = as_user(client, user).post(*_start_export())
    assert response.status_code == 403 and "Zephyrine" not in response.content.decode()
    assert not Job.objects.exists()
    # Refused at the door (the jobs of an ICP not theirs, a role that starts no export) or by the
    # subject-access decision (another ICP's IG lead): audited either way.
    assert AuditEvent.objects.filter(
        action__in=("job.view", "job.start", "subject_access.export"),
        outcome="denied",
        actor_username=user.username,
    ).exists()


def test_an_unknown_person_answers_404(every_surface: World, client: Client) -> None:
    iglead = as_user(client, every_surface.users["iglead"])
    assert iglead.get("/sharing/patients/pt-nobody/subject-access/").status_code == 404
    # Asked to export an unknown id, the job is refused like any other (revealing nothing).
    assert iglead.post(*_start_export("pt-nobody")).status_code == 403
    assert not Job.objects.exists()


def test_the_export_and_its_file_are_the_ig_lead_who_started_it_alone(
    every_surface: World, client: Client
) -> None:
    as_user(client, every_surface.users["iglead"]).post(*_start_export())
    job = Job.objects.get(kind=JobKind.SUBJECT_ACCESS)
    runner.run(job.pk)
    job.refresh_from_db()
    assert stat.S_IMODE(Path(job.result_file).stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(job.result_file).parent.stat().st_mode) == 0o700
    for who in ("manager", "analyst", "other_iglead", "gp"):
        other = as_user(Client(), User.objects.get(username=who))
        assert other.get(f"/jobs/{job.pk}/download/").status_code == 403, who
        assert other.get(f"/jobs/{job.pk}/").status_code == 403, who
    manager = as_user(Client(), User.objects.get(username="manager"))
    jobs_page = manager.get(f"/jobs/icp/{job.icp.code}/")
    assert "Subject-access export" not in jobs_page.content.decode()

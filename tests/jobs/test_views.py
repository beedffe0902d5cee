"""The jobs pages: an ICP's jobs with their progress, starting one from the web, a running job's
progress as JSON for the page's script, the report's file; refusals audited and answered 403."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from icp.audit.models import AuditEvent
from icp.jobs import runner
from icp.jobs.models import Job, JobKind, JobStatus
from icp.partnership.models import Area, User
from icp.partnership.roles import UserRole

pytestmark = pytest.mark.django_db


def test_the_jobs_page_offers_each_job_and_lists_recent_ones_with_progress(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    Job.objects.create(
        kind=JobKind.STRATIFY,
        icp=icp_area,
        scheduled=True,
        status=JobStatus.RUNNING,
        progress=40,
        step="Scoring everyone",
    )
    page = logged_in(manager).get(f"/jobs/icp/{icp_area.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Start: indicator refresh" in text and "Start: committee report (pdf)" in text
    assert "Risk stratification refresh: running" in text  # no second one offered while one runs
    assert "The nightly schedule" in text and "40%: Scoring everyone" in text


def test_starting_a_job_from_the_web_queues_it_and_shows_its_page(
    icp_area: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client], published: Path
) -> None:
    analyst = make_user(UserRole.ANALYST)
    client = logged_in(analyst)
    response = client.post(f"/jobs/icp/{icp_area.code}/start/", {"kind": "report", "quarter": "2025-Q4"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.started_by == analyst and job.options == {"quarter": "2025-Q4"}
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<progress id="job-progress"' in page and "jobs/progress.js" in page
    assert client.get(f"/jobs/{job.pk}/progress.json").json()["status"] == "queued"

    runner.run(job.pk)  # what the worker does with it
    state = client.get(f"/jobs/{job.pk}/progress.json").json()
    assert (state["status"], state["progress"], state["finished"]) == ("done", 100, True)
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert "2025-q4" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="job.download", actor_username=analyst.username).count() == 1


def test_bad_input_gets_a_clear_answer(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(manager)
    response = client.post(f"/jobs/icp/{icp_area.code}/start/", {"kind": "shred"})
    assert response.status_code == 400 and b"kind: expected one of" in response.content
    response = client.post(
        f"/jobs/icp/{icp_area.code}/start/", {"kind": "report", "quarter": "2025-Q9"}, follow=True
    )
    assert "expected a quarter such as 2025-Q4" in response.content.decode()
    assert not Job.objects.exists()
    assert client.get("/jobs/999999/").status_code == 404
    assert client.get("/jobs/icp/NOPE/").status_code == 404


@pytest.mark.parametrize("role", [UserRole.GP, UserRole.IG_LEAD])
def test_roles_without_jobs_are_refused_with_403_and_audited(
    role: str, icp_area: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    job = Job.objects.create(kind=JobKind.STRATIFY, icp=icp_area)
    client = logged_in(make_user(role))
    assert client.get(f"/jobs/icp/{icp_area.code}/").status_code == 403
    assert client.get(f"/jobs/{job.pk}/progress.json").status_code == 403
    assert client.post(f"/jobs/icp/{icp_area.code}/start/", {"kind": "stratify"}).status_code == 403
    assert Job.objects.count() == 1
    assert AuditEvent.objects.filter(action="job.view", outcome="denied").count() == 3


def test_a_manager_of_another_icp_cannot_see_this_icps_job(
    icp_area: Area, other_icp: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    job = Job.objects.create(kind=JobKind.STRATIFY, icp=icp_area)
    client = logged_in(make_user(UserRole.ICP_MANAGER, icp=other_icp.code))
    assert client.get(f"/jobs/{job.pk}/").status_code == 403

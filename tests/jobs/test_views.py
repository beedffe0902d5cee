"""The jobs pages: an ICP's jobs with their progress, starting one from the web, a running job's
progress as JSON for the page's script, the report's file; refusals audited and answered 403."""

from __future__ import annotations

import csv
import io
import stat
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


@pytest.mark.parametrize("role", [UserRole.GP, UserRole.COMMITTEE_MEMBER])
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


def test_the_ig_lead_sees_their_own_exports_only_and_cannot_start_a_refresh(
    icp_area: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    Job.objects.create(kind=JobKind.STRATIFY, icp=icp_area, scheduled=True)
    ig_lead = make_user(UserRole.IG_LEAD)
    client = logged_in(ig_lead)
    page = client.get(f"/jobs/icp/{icp_area.code}/").content.decode()
    assert "Start: audit trail export (csv)" in page and "Start: risk stratification" not in page
    assert "No jobs yet for this ICP." in page  # the schedule's refresh is not theirs to see
    assert client.post(f"/jobs/icp/{icp_area.code}/start/", {"kind": "stratify"}).status_code == 403
    assert AuditEvent.objects.filter(action="job.start", outcome="denied").count() == 1


def _period(date_from: str = "2020-01-01", date_to: str = "2099-12-31") -> dict[str, str]:
    (from_year, from_month, from_day), (to_year, to_month, to_day) = (
        date_from.split("-"),
        date_to.split("-"),
    )
    return {
        "kind": "audit_export",
        **{"date_from_day": from_day, "date_from_month": from_month, "date_from_year": from_year},
        **{"date_to_day": to_day, "date_to_month": to_month, "date_to_year": to_year},
    }


def test_the_ig_lead_exports_the_icps_audit_trail_for_a_period_as_a_job(
    icp_area: Area, other_icp: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    ig_lead = make_user(UserRole.IG_LEAD)
    manager = make_user(UserRole.ICP_MANAGER)
    logged_in(manager).post(f"/jobs/icp/{icp_area.code}/start/", {"kind": "stratify"})
    elsewhere = logged_in(make_user(UserRole.ICP_MANAGER, icp=other_icp.code))
    elsewhere.post(f"/jobs/icp/{other_icp.code}/start/", {"kind": "stratify"})  # not this ICP's
    client = logged_in(ig_lead)
    response = client.post(f"/jobs/icp/{icp_area.code}/start/", _period())
    job = Job.objects.get(kind=JobKind.AUDIT_EXPORT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.options == {"date_from": "2020-01-01", "date_to": "2099-12-31"}
    assert runner.run(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.outcome.startswith("2 audit events from 01 January 2020 to 31 December 2099"), job.outcome
    assert job.steps_done == 1 + 2  # reading, then each tenth of the events (here each one) as written
    path = Path(job.result_file)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.suffix == ".csv"
    download = client.get(f"/jobs/{job.pk}/download/")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))  # type: ignore[attr-defined]
    assert [row["action"] for row in rows] == ["job.start", "job.start"]  # oldest first, this ICP only
    assert rows[0]["actor_username"] == manager.username
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor_username == ig_lead.username and export.detail["events"] == 2
    # Someone else's export is theirs alone: not listed, not opened, not downloaded.
    other_ig_lead = logged_in(make_user(UserRole.IG_LEAD))
    assert other_ig_lead.get(f"/jobs/{job.pk}/download/").status_code == 403
    assert logged_in(manager).get(f"/jobs/{job.pk}/").status_code == 403
    assert "Audit trail export" not in logged_in(manager).get(f"/jobs/icp/{icp_area.code}/").content.decode()


def test_an_export_period_is_checked_field_by_field(
    icp_area: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(make_user(UserRole.IG_LEAD))
    url = f"/jobs/icp/{icp_area.code}/start/"
    for period, message in (
        (_period("2026-02-30"), "From: 30 02 2026 is not a day of the calendar."),
        (_period("2026-05-01", "2026-04-01"), "To: the period ends before it starts."),
        ({"kind": "audit_export"}, "From"),
    ):
        page = client.post(url, period, follow=True)
        assert page.status_code == 200 and message in page.content.decode(), message
    assert not Job.objects.exists()


def test_an_ig_lead_who_left_the_post_cannot_run_or_download_their_export(
    icp_area: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    ig_lead = make_user(UserRole.IG_LEAD)
    logged_in(ig_lead).post(f"/jobs/icp/{icp_area.code}/start/", _period())
    job = Job.objects.get()
    ig_lead.role = UserRole.ANALYST
    ig_lead.save()
    assert runner.run(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert "Only the ICP's information-governance lead" in job.outcome and not job.result_file
    assert AuditEvent.objects.filter(action="audit.export", outcome="denied").exists()

"""The runner the worker calls: it claims the job, saves each step's progress on the row while the job
runs, ends with the outcome (and the file, for a report) or with the reason it failed, and audits it."""

from __future__ import annotations

from pathlib import Path

import pytest

from icp.audit.models import AuditEvent
from icp.jobs import kinds, runner
from icp.jobs.models import Job, JobKind, JobStatus
from icp.partnership.models import Area

pytestmark = pytest.mark.django_db


def test_a_report_job_writes_the_tagged_pdf_and_finishes_at_100_percent(
    icp_area: Area, published: Path, settings, tmp_path: Path
) -> None:
    job = Job.objects.create(kind=JobKind.REPORT, icp=icp_area, scheduled=True)
    assert runner.run(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert (job.status, job.progress, job.step) == (JobStatus.DONE, 100, "Finished")
    assert job.steps_done == 2 and job.started_at and job.finished_at
    assert "committee report" in job.outcome
    pdf = Path(job.result_file)
    assert pdf.parent == kinds.results_dir() and pdf.read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.get(action="job.finish").outcome == "success"


def test_progress_is_on_the_row_while_the_job_runs(icp_area: Area, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int, str]] = []

    def two_steps(job: Job, note: kinds.Note) -> kinds.Outcome:
        for step in ("Reading", "Writing"):
            note(step)
            row = Job.objects.get(pk=job.pk)  # what the jobs page would read now
            seen.append((row.status, row.progress, row.step))
        return kinds.Outcome("Done twice.")

    monkeypatch.setitem(kinds.KINDS, JobKind.INDICATORS, kinds.Kind(two_steps, expected_steps=4))
    job = Job.objects.create(kind=JobKind.INDICATORS, icp=icp_area)
    runner.run(job.pk)
    assert seen == [("running", 25, "Reading"), ("running", 50, "Writing")]


def test_a_failing_job_says_why_on_the_job_and_in_the_audit_trail(
    icp_area: Area, settings, tmp_path: Path
) -> None:
    settings.ICP_INDICATORS_DIR = str(tmp_path / "none")
    job = Job.objects.create(kind=JobKind.REPORT, icp=icp_area)
    assert runner.run(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at and job.progress < 100
    assert "No complete quarter has been published" in job.outcome
    event = AuditEvent.objects.get(action="job.finish")
    assert event.outcome == "failed" and "No complete quarter" in event.reason


def test_the_log_names_a_failed_jobs_error_and_place_never_its_message(
    icp_area: Area, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def leaky(job: Job, note: kinds.Note) -> kinds.Outcome:
        raise ValueError("SYNTHETIC0, Given0 born 1930-01-01")

    monkeypatch.setitem(kinds.KINDS, JobKind.INDICATORS, kinds.Kind(leaky, expected_steps=1))
    job = Job.objects.create(kind=JobKind.INDICATORS, icp=icp_area)
    with caplog.at_level("ERROR"):
        assert runner.run(job.pk) == JobStatus.FAILED
    assert "ValueError at " in caplog.text and "test_runner.py" in caplog.text
    assert "SYNTHETIC0" not in caplog.text and "1930" not in caplog.text


def test_a_job_delivered_twice_runs_once(icp_area: Area, published: Path) -> None:
    job = Job.objects.create(kind=JobKind.REPORT, icp=icp_area)
    runner.run(job.pk)
    assert runner.run(job.pk) == JobStatus.DONE
    assert AuditEvent.objects.filter(action="job.finish").count() == 1


def test_four_years_of_months_end_with_the_newest_record() -> None:
    import datetime as dt

    assert kinds._months_to(dt.date(2026, 3, 31)) == (dt.date(2022, 4, 1), dt.date(2026, 3, 1))
    assert kinds._months_to(dt.date(2025, 1, 15)) == (dt.date(2021, 2, 1), dt.date(2025, 1, 1))

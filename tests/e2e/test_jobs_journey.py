"""The ICP manager's background jobs, in a real browser on the demo: from the ICP's page to its jobs,
starting the committee report, its page while it waits for a worker (the progress script runs under
the content security policy), then `icp worker` beside the site runs it and the page shows it
finished with its file. axe-core checks each page whole, on a desktop screen and on a 390 px phone.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in, sideways_overflow

ICP = "NI-NOR-CA"


def _run_the_worker(demo_env: dict[str, str]) -> None:
    """What a deployment's `icp worker` does, until the queue is empty (no nightly schedule)."""
    worked = subprocess.run(
        [sys.executable, "-m", "icp", "worker", "--until-idle", "--no-schedule"],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert worked.returncode == 0, worked.stdout[-3000:] + worked.stderr[-3000:]


def test_the_manager_starts_the_committee_report_and_follows_it_to_its_file(
    demo_site: str, demo_env: dict[str, str], page: Any
) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    log_in(page, demo_site, "demo-manager")
    page.goto(f"{demo_site}/icp/{ICP}/")
    page.get_by_role("link", name="Background jobs of").click()
    page.wait_for_url(f"**/jobs/icp/{ICP}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Background jobs")
    assert_accessible(page)

    page.get_by_role("button", name="Start: committee report (pdf)").click()
    page.wait_for_url("**/jobs/*/")
    job_page = page.url
    expect(page.get_by_text("Committee report (PDF) started")).to_be_visible()
    expect(page.locator("[data-job-status]")).to_have_text("Waiting for a worker")
    assert_accessible(page)
    # The progress script polls progress.json: the page stays as it is while the job waits.
    page.wait_for_timeout(2500)
    assert page.url == job_page and refused == [], refused

    _run_the_worker(demo_env)
    # The script sees the job has ended and reloads the page: the outcome and the file appear.
    expect(page.locator("[data-job-status]")).to_have_text("Finished", timeout=30_000)
    download_link = page.get_by_role("link", name="Download the file this job made")
    expect(download_link).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")

    # The same pages on a phone held upright.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert sideways_overflow(page) <= 0, f"{page.url} scrolls sideways"
    assert_accessible(page)
    # The breadcrumb is a back link on a phone (the design system hides the list there).
    page.get_by_role("link", name="Back to Background jobs").click()
    page.wait_for_url(f"**/jobs/icp/{ICP}/")
    expect(page.get_by_role("link", name="Committee report (PDF)").first).to_be_visible()
    assert sideways_overflow(page) <= 0, f"{page.url} scrolls sideways"
    assert_accessible(page)
    assert refused == [], refused


def test_the_ig_lead_exports_the_audit_trail_and_a_persons_record_as_jobs_only_they_download(
    demo_site: str, demo_env: dict[str, str], page: Any
) -> None:
    log_in(page, demo_site, "demo-iglead")
    page.get_by_role("link", name="Audit trail").first.click()
    page.wait_for_url("**/sharing/audit/")
    page.get_by_role("link", name="start an audit trail export").click()
    page.wait_for_url(f"**/jobs/icp/{ICP}/")
    expect(page.get_by_role("button", name="Start: risk stratification refresh")).to_have_count(0)
    for name, value in (("date_from", ("1", "1", "2020")), ("date_to", ("31", "12", "2099"))):
        for part, typed in zip(("day", "month", "year"), value, strict=True):
            page.locator(f"[name={name}_{part}]").fill(typed)
    assert_accessible(page)
    page.get_by_role("button", name="Start: audit trail export (csv)").click()
    page.wait_for_url("**/jobs/*/")
    audit_job = page.url
    expect(page.locator("[data-job-status]")).to_have_text("Waiting for a worker")

    # A person's subject-access export, from a break glass on them to their access log.
    page.get_by_role("link", name="Break glass").first.click()
    page.locator("a[href*='/access-log/']").first.click()
    page.get_by_role("link", name="Produce this person's subject-access export").click()
    assert_accessible(page)
    page.get_by_role("button", name="Produce the export (JSON)").click()
    page.wait_for_url("**/jobs/*/")
    expect(page.get_by_text("Subject-access export (JSON) started")).to_be_visible()

    _run_the_worker(demo_env)
    expect(page.locator("[data-job-status]")).to_have_text("Finished", timeout=30_000)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the file this job made").click()
    assert download.value.suggested_filename.startswith("subject-access-")
    subject_access_job = page.url
    page.goto(audit_job)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the file this job made").click()
    assert download.value.suggested_filename.startswith(f"audit-{ICP.lower()}-")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_site}/jobs/icp/{ICP}/")
    assert sideways_overflow(page) <= 0, f"{page.url} scrolls sideways"
    assert_accessible(page)

    # The ICP manager sees neither export, and cannot open one.
    page.context.clear_cookies()
    log_in(page, demo_site, "demo-manager")
    page.goto(f"{demo_site}/jobs/icp/{ICP}/")
    expect(page.get_by_text("Subject-access export")).to_have_count(0)
    response = page.goto(subject_access_job + "download/")
    assert response is not None and response.status == 403

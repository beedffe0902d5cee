"""`icp worker` for real: a worker process over a fresh database (SQLite, and PostgreSQL in the
PostgreSQL pass) runs the overdue nightly schedule (a stratification and an indicator refresh over a
small synthetic population) and a report queued from the command line, saving progress on each job,
then stops once nothing is waiting (`--until-idle`)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("worker")


def _icp(env: dict[str, str], *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "icp", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"icp {' '.join(args)}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


def _python(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "from icp.django_setup import setup_django; setup_django()\n" + code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ICP_TESTING")
    }
    env.pop("ICP_AUDIT_KEY", None)
    env.update(
        {
            "ICP_DATA_DIR": str(tmp_path / "data"),
            "PYTHONPATH": str(ROOT / "src"),
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "ICP_WORKER_POLL": "0.5",
        }
    )
    if request.param == "sqlite":
        yield env
        return
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        pytest.skip("the PostgreSQL worker runs in the PostgreSQL pass (DATABASE_URL)")
    base, name = server.rsplit("/", 1)[0], f"icp_worker_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True
    )
    env["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield env
    finally:
        subprocess.run(
            ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
            capture_output=True,
        )


def _jobs(site: dict[str, str]) -> dict[str, list[object]]:
    found = json.loads(
        _python(
            site,
            """
import json
import stat
from icp.jobs.models import Job
print(json.dumps([[j.kind, j.status, j.progress, j.steps_done, j.scheduled, j.outcome, j.result_file]
                  for j in Job.objects.order_by("pk")]))
""",
        )
    )
    return {kind: rest for kind, *rest in found}


def test_the_worker_runs_the_overdue_nightly_refresh_then_a_queued_report(site: dict[str, str]) -> None:
    _icp(site, "migrate")
    _icp(site, "load-structure")
    _icp(site, "synth", "--area", "NI-NOR-CA", "--people", "300", "--seed", "7")
    _icp(site, "worker", "--until-idle")  # makes the schedule; nothing is due yet, so it stops
    assert _jobs(site) == {}

    # The night comes: the schedule is overdue.
    _python(
        site,
        """
from django.utils import timezone
from django_q.models import Schedule
overdue = timezone.now() - timezone.timedelta(minutes=1)
Schedule.objects.filter(name="icp nightly refresh").update(next_run=overdue)
""",
    )
    assert "Queue empty: worker stopped." in _icp(site, "worker", "--until-idle").stdout
    jobs = _jobs(site)
    assert set(jobs) == {"stratify", "indicators"}, jobs
    stratify, indicators = jobs["stratify"], jobs["indicators"]
    assert stratify[:2] == ["done", 100] and int(stratify[2]) >= 3 and stratify[3] is True, stratify  # type: ignore[call-overload]
    assert "people scored" in str(stratify[4])
    assert indicators[:2] == ["done", 100] and indicators[3] is True, indicators
    assert "indicators published for NI-NOR-CA" in str(indicators[4])
    moved_on = _python(
        site,
        """
from django.utils import timezone
from django_q.models import Schedule
print(Schedule.objects.get(name="icp nightly refresh").next_run > timezone.now())
""",
    )
    assert moved_on == "True", "the schedule moved on to the next night"

    # Next morning someone asks for the committee report from the command line.
    _icp(site, "jobs", "start", "report", "--icp", "NI-NOR-CA")
    _icp(site, "worker", "--until-idle", "--no-schedule")
    report = _jobs(site)["report"]
    assert report[:2] == ["done", 100], report
    assert Path(str(report[5])).read_bytes().startswith(b"%PDF")
    _icp(site, "audit", "verify")  # every job's events kept the chain intact
    listing = _icp({**site, "COLUMNS": "300"}, "jobs", "list", "--icp", "NI-NOR-CA").stdout
    assert "Risk stratification refresh" in listing and "schedule" in listing


def test_the_worker_makes_the_ig_leads_exports_owner_only_and_logs_nothing_about_the_person(
    site: dict[str, str],
) -> None:
    _icp(site, "migrate")
    _icp(site, "load-structure")
    _icp(site, "synth", "--area", "NI-NOR-CA", "--people", "40", "--seed", "3")
    # The IG lead asks for both exports (the web's start, with the person's id for subject access).
    patient_id = _python(
        site,
        """
from icp.jobs.actions import start
from icp.partnership.models import Area, User
from icp.patients.models import PatientIndex
icp = Area.objects.get(code="NI-NOR-CA")
ig_lead = User.objects.create_user(username="ig", role="ig_lead", home_area=icp, password="x" * 20)
person = PatientIndex.objects.filter(icp=icp).order_by("patient_id").first()
start(kind="audit_export", icp=icp, by=ig_lead, options={"date_from": "2000-01-01", "date_to": "2100-01-01"})
start(kind="subject_access", icp=icp, by=ig_lead, options={"patient_id": person.patient_id})
print(person.patient_id)
""",
    )
    worker = _icp(site, "worker", "--until-idle", "--no-schedule")
    assert patient_id not in worker.stdout + worker.stderr  # nothing about the person in the worker's log
    jobs = _jobs(site)
    for kind in ("audit_export", "subject_access"):
        status, progress, _, _, outcome, result_file = jobs[kind]
        assert (status, progress) == ("done", 100), jobs[kind]
        assert patient_id not in str(outcome) + str(result_file)
        path = Path(str(result_file))
        assert (
            stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        )
    audit_csv = Path(str(jobs["audit_export"][5])).read_text()
    assert audit_csv.startswith("id,occurred_at,actor_username") and "job.start" in audit_csv
    assert json.loads(Path(str(jobs["subject_access"][5])).read_text())["person"]["patient_id"] == patient_id
    _icp(site, "audit", "verify")  # the exports' events kept the chain intact

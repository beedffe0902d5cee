"""`icp worker` and `icp jobs …`: run the background-job worker, start a job, list an ICP's jobs.

The worker is django-q2's cluster over the app database (docs/adr/0155-background-jobs.md); it
also keeps the nightly schedule (`icp.jobs.schedule`). Jobs are started through `icp.jobs.actions`,
the same action the jobs page uses.
"""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer
from rich.table import Table

from icp.cli.help import Typer
from icp.cli.output import console, ensure_data_dir, refuse
from icp.django_setup import setup_django

PANEL = "Set up and run"
app = Typer()
jobs_app = Typer(
    help="Background jobs: start one, or list an ICP's.\n\n"
    "Examples: [bold]icp jobs start stratify --icp NI-NOR-CA[/bold]; "
    "[bold]icp jobs list --icp NI-NOR-CA[/bold].",
    no_args_is_help=True,
)
app.add_typer(jobs_app, name="jobs", rich_help_panel=PANEL)


def _idle() -> bool:
    """Nothing waiting, running or due: no job row open, the queue empty, no schedule overdue."""
    from django.utils import timezone
    from django_q.models import OrmQ, Schedule

    from icp.jobs.models import Job, JobStatus

    return not (
        Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists()
        or OrmQ.objects.exists()
        or Schedule.objects.exclude(repeats=0).filter(next_run__lt=timezone.now()).exists()
    )


@app.command(rich_help_panel=PANEL)
def worker(
    schedule: Annotated[
        bool, typer.Option("--schedule/--no-schedule", help="Create or update the nightly schedule first")
    ] = True,
    until_idle: Annotated[
        bool,
        typer.Option("--until-idle", help="Stop once no job is waiting or running and no schedule is due"),
    ] = False,
) -> None:
    """Run the background-job worker in the foreground: refreshes, reports and the nightly schedule.

    Processes from ICP_WORKER_PROCESSES (default 1); the nightly refresh at ICP_NIGHTLY_AT (local
    time, default 02:30). It needs the server's SECRET_KEY (tasks are signed with it) and the same
    DATABASE_URL, ICP_DATA_DIR and audit key. Stop it with Ctrl-C or SIGTERM: the job in hand ends
    first. `--until-idle` works through what is waiting and stops (for a cron-driven site, or a test).

    Example: [bold]icp worker[/bold]   (or [bold]icp worker --until-idle[/bold])
    """
    if not os.environ.get("SECRET_KEY") and os.environ.get("ICP_DEBUG") != "1":
        console.print(
            "[yellow]SECRET_KEY is not set: the worker signs and reads tasks with the key in the data "
            "folder, so the web server must use that same key (set SECRET_KEY for both).[/yellow]"
        )
    ensure_data_dir()
    setup_django()
    from django.db import connections
    from django_q.cluster import Cluster

    from icp.jobs.schedule import ScheduleError, ensure

    if schedule:
        try:
            console.print(ensure())
        except ScheduleError as error:
            refuse(str(error))
    # The cluster forks its processes: a database connection this process opened (the schedule's)
    # must not be shared with them (on PostgreSQL two processes on one socket hang each other).
    connections.close_all()
    cluster = Cluster()
    cluster.start()
    console.print("Worker running" + (" until the queue is empty." if until_idle else ": Ctrl-C to stop."))
    if not until_idle:
        if cluster.sentinel is not None:
            cluster.sentinel.join()
        return
    # Two idle looks in a row a few seconds apart: a job just handed over is not missed.
    quiet = 0
    while quiet < 2:
        time.sleep(2)
        quiet = quiet + 1 if _idle() else 0
    cluster.stop()
    console.print("Queue empty: worker stopped.")


@jobs_app.command("start")
def start(
    kind: Annotated[str, typer.Argument(help="stratify, indicators or report", metavar="KIND")],
    icp: Annotated[str, typer.Option(help="The ICP's code, e.g. NI-NOR-CA", metavar="ICP")],
    quarter: Annotated[
        str, typer.Option(help="For a report: the quarter, e.g. 2025-Q4", metavar="QUARTER")
    ] = "",
) -> None:
    """Queue a job (as the schedule would, with no person): a worker picks it up.

    Example: [bold]icp jobs start stratify --icp NI-NOR-CA[/bold]
    """
    setup_django()
    from icp.jobs.actions import PERSONAL
    from icp.jobs.actions import start as start_job
    from icp.jobs.models import JobKind
    from icp.partnership.models import Area
    from icp.partnership.roles import AreaLevel

    if kind in PERSONAL:
        refuse(f"{kind!r} is an IG lead's export: start it from the web, where the access decision asks who")
    if kind not in JobKind.values:
        refuse(f"{kind!r}: choose one of {', '.join(sorted(set(JobKind.values) - PERSONAL))}")
    area = Area.objects.filter(code=icp, level=AreaLevel.ICP).first()
    if area is None:
        refuse(f"--icp {icp!r} is not an ICP code (e.g. NI-NOR-CA)")
    job = start_job(kind=kind, icp=area, by=None, options={"quarter": quarter} if quarter else None)
    console.print(
        f"Job {job.pk} queued: {job.get_kind_display()} for {area.code}. Run `icp worker` to do it."
    )


@jobs_app.command("list")
def list_jobs(
    icp: Annotated[str, typer.Option(help="The ICP's code, e.g. NI-NOR-CA", metavar="ICP")],
    last: Annotated[
        int, typer.Option(help="How many of the newest jobs", min=1, max=500, metavar="COUNT")
    ] = 20,
) -> None:
    """The newest jobs of an ICP with their status and progress.

    Example: [bold]icp jobs list --icp NI-NOR-CA[/bold]
    """
    setup_django()
    from icp.jobs.models import Job

    table = Table(title=f"Background jobs of {icp}")
    for column in ("id", "job", "started", "by", "status", "progress", "outcome"):
        table.add_column(column)
    for job in Job.objects.filter(icp__code=icp).select_related("started_by")[:last]:
        by = "schedule" if job.scheduled else (job.started_by.username if job.started_by else "")
        table.add_row(
            str(job.pk),
            job.get_kind_display(),
            f"{job.created_at:%Y-%m-%d %H:%M}",
            by,
            job.get_status_display(),
            f"{job.progress}% {job.step if not job.finished else ''}".strip(),
            job.outcome[:80],
        )
    console.print(table)

"""What each kind of job does: the nightly refreshes, the long report and the IG lead's exports,
run inside the worker.

Each runner takes the `Job` and a `note(step)` callback (which saves progress on the job) and
returns what it came to: a sentence for the jobs page and, for a report, the file it wrote. The
runners call the same use cases as the `icp` commands (`icp stratify`, `icp measure`) and the same
report as the evaluation pages, so a job and a command never disagree.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

from icp.config import data_dir, models_dir
from icp.jobs.models import Job, JobKind

Note = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    summary: str
    file: Path | None = None


@dataclass(frozen=True)
class Kind:
    run: Callable[[Job, Note], Outcome]
    # About how many steps the runner reports: the page's percentage is steps done over this (an
    # estimate, said so on the page), held below 100 until the job has actually finished.
    expected_steps: int


def results_dir() -> Path:
    """Where jobs leave their files (reports, exports): the data folder, never a web-served folder."""
    return data_dir() / "jobs"


def result_path(job: Job, name: str, suffix: str) -> Path:
    """A new file for the job's result, created empty and owner-only (0600) in the owner-only (0700)
    results folder before anything is written to it: an export holds identifiable and staff data.
    Its name starts with the job's id and says what it is, never who it is about."""
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / f"{job.pk}-{slugify(name)}{suffix}"
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)
    return path


def _stratify(job: Job, note: Note) -> Outcome:
    from icp.care import stratification

    note("Working out who is in scope (planning opt-outs left out)…")
    population = stratification.scope(areas=[job.icp.code])
    summary = stratification.stratify(population, models_dir=models_dir(), progress=note)
    note("Syncing the results to the app database…")
    synced = stratification.sync(population.warehouse, summary, by=job.started_by)
    listed = sum(outcome.summary.listed for outcome in synced if outcome.summary is not None)
    return Outcome(
        f"Run {summary.run_id}: {summary.people:,} people scored at {summary.index_date:%d %B %Y}, "
        f"{listed:,} of them on the worklists (the top three tiers); "
        f"{summary.opted_out:,} left out for a planning opt-out."
    )


def _months_to(last: dt.date) -> tuple[dt.date, dt.date]:
    """Four years of months ending with the month of `last` (the newest record)."""
    end = last.replace(day=1)
    months_back = end.year * 12 + end.month - 1 - 47
    return dt.date(months_back // 12, months_back % 12 + 1, 1), end


def _indicators(job: Job, note: Note) -> Outcome:
    from icp.evaluation.published import indicators_dir
    from icp.measure.indicators.cells import Months
    from icp.measure.indicators.run import MEMORY_LIMIT, measure, write
    from icp.records.engine import connect, open_tables
    from icp.records.warehouse import Warehouse
    from icp.sharing.policy import planning_opt_outs
    from icp.stratify.run import areas_in, latest_record_date

    warehouse = Warehouse()
    # The published tables are one set for every ICP in the warehouse (the pages filter by ICP),
    # so a refresh recomputes them all; one ICP's figures alone would drop the others'.
    areas = areas_in(warehouse)
    if not areas:
        raise ValueError("The warehouse holds nobody yet: load records (icp ingest) first.")
    newest = latest_record_date(warehouse, areas) or dt.date.today()
    start, end = _months_to(newest)
    excluded: set[str] = set()
    for icp in areas:
        excluded |= set(planning_opt_outs(icp, on=end).patient_ids)
    note(f"Measuring every indicator, {start:%B %Y} to {end:%B %Y}, for {len(areas)} ICP(s)…")
    tables = open_tables(warehouse, areas=areas, con=connect("duckdb", memory_limit=MEMORY_LIMIT))
    result = measure(
        tables, Months(start, end), excluded=excluded, progress=lambda step: note(f"Measuring: {step}")
    )
    note("Publishing the disclosure-controlled tables…")
    folder = indicators_dir()
    staging = folder.with_name(folder.name + f".job-{job.pk}")
    published = write(result, staging)
    # Swap file by file: a page reading meanwhile sees the old table or the new one, never half of one.
    folder.mkdir(parents=True, exist_ok=True)
    for path in staging.iterdir():
        os.replace(path, folder / path.name)
    staging.rmdir()
    rows = len(published.get("month_icp", []))
    return Outcome(
        f"{len(result.cells)} indicators published for {', '.join(areas)} "
        f"({rows:,} indicator-months, {start:%B %Y} to {end:%B %Y})."
    )


def _report(job: Job, note: Note) -> Outcome:
    from icp.evaluation.views import report_document

    quarter = job.options.get("quarter") or None
    note("Gathering the quarter's indicators and charts…")
    label, html = report_document(job.icp, quarter)
    if label is None:
        raise ValueError("No complete quarter has been published for this ICP yet: refresh the indicators.")
    note(f"Laying out the {label} report as a tagged PDF…")
    from icp.evaluation.report import report_pdf

    pdf = report_pdf(html, base_url="file:///")
    path = result_path(job, f"{job.icp.code}-evaluation-{label}", ".pdf")
    path.write_bytes(pdf)
    return Outcome(f"The {label} committee report ({len(pdf) // 1024:,} KB).", path)


def _audit_export(job: Job, note: Note) -> Outcome:
    from icp.sharing.audit_trail import export_period, parse_period

    date_from, date_to = parse_period(job.options.get("date_from", ""), job.options.get("date_to", ""))
    note(f"Reading the audit trail from {date_from:%d %B %Y} to {date_to:%d %B %Y}…")
    path = result_path(job, f"audit-{job.icp.code}-{date_from}-to-{date_to}", ".csv")
    with path.open("w", encoding="utf-8", newline="") as out:
        events = export_period(
            icp=job.icp, by=job.started_by, date_from=date_from, date_to=date_to, out=out, progress=note
        )
    return Outcome(
        f"{events:,} audit events from {date_from:%d %B %Y} to {date_to:%d %B %Y}, "
        f"as CSV ({path.stat().st_size // 1024:,} KB).",
        path,
    )


def _subject_access(job: Job, note: Note) -> Outcome:
    from icp.sharing.subject_access import export

    note("Gathering the person's record, choices, relationships and access log…")
    # The access decision is asked again now, and the export audited with what it held.
    produced = export(patient_id=str(job.options.get("patient_id", "")), by=job.started_by)
    note("Writing the file…")
    path = result_path(job, f"subject-access-{job.created_at:%Y-%m-%d}", ".json")
    path.write_bytes(produced.as_json())
    log = len(produced.content["access_log"])
    rows = sum(len(rows) for rows in produced.content["record"].values())
    # No patient data here: the outcome is shown on the job page and listed by `icp jobs list`.
    return Outcome(
        f"One person's subject-access export: {rows:,} record rows, {log:,} access-log events "
        "(review it before release).",
        path,
    )


KINDS: dict[str, Kind] = {
    JobKind.STRATIFY: Kind(_stratify, expected_steps=8),
    JobKind.INDICATORS: Kind(_indicators, expected_steps=12),
    JobKind.REPORT: Kind(_report, expected_steps=2),
    JobKind.AUDIT_EXPORT: Kind(_audit_export, expected_steps=1 + 10),
    JobKind.SUBJECT_ACCESS: Kind(_subject_access, expected_steps=2),
}

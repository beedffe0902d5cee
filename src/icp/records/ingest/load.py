"""`ingest`: load FHIR R4 inputs into the warehouse as one atomic batch.

1. Find the input files; pass over any already loaded (same sha256) unless `replace` is set.
2. Stage every resource in a DuckDB working database beside the batch (stage.py).
3. Place and map the staged rows (resolve.py) and stream them into the batch's Parquet files.
4. Write the quarantine file for whatever was put aside, and commit the batch.

A failure anywhere leaves the warehouse as it was: the batch is only committed at the end, and the
quarantine file is removed with it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from icp.records.ingest import quarantine, resolve
from icp.records.ingest.mapping import MAPPED_TYPES
from icp.records.ingest.report import UNREADABLE, IngestReport, tally
from icp.records.ingest.shape import install_macros
from icp.records.ingest.sources import InputFile, find_inputs
from icp.records.ingest.stage import Stager
from icp.records.warehouse import Warehouse

ProgressCallback = Callable[[InputFile, int, int], None]
STAGING_ROW_GROUP_ROWS = 16_384


def default_source(paths: Sequence[Path | str]) -> str:
    first = Path(paths[0]).resolve()
    return f"fhir:{first.name.split('.')[0] if first.is_file() else first.name}"


def loaded_files(warehouse: Warehouse) -> dict[str, str]:
    """sha256 → batch id, for every input file of a live ingest batch."""
    live = set(warehouse.manifest()["batches"])
    found: dict[str, str] = {}
    batches = warehouse.batches()
    for batch_id, kind, detail in zip(
        batches.column("batch_id").to_pylist(),
        batches.column("kind").to_pylist(),
        batches.column("detail").to_pylist(),
        strict=True,
    ):
        if batch_id in live and kind == "ingest" and detail:
            for sha in json.loads(detail).get("files", {}):
                found[sha] = batch_id
    return found


def _live_files(warehouse: Warehouse, table: str, excluded: set[str]) -> list[Path]:
    files: list[Path] = []
    for batch_id, batch in warehouse.manifest()["batches"].items():
        if batch_id in excluded:
            continue
        files.extend(warehouse.root / f for f in batch["files"] if f.startswith(f"{table}/"))
    return sorted(files)


def ingest(
    paths: Sequence[Path | str],
    *,
    warehouse: Warehouse | None = None,
    area: str | None = None,
    source: str | None = None,
    replace: bool = False,
    practices: Mapping[str, str] | None = None,
    synthetic: bool = False,
    progress: ProgressCallback | None = None,
    threads: int = 2,
    memory_limit: str = "500MB",
) -> IngestReport:
    """Load FHIR R4 NDJSON files, Bundles and folders of them into `warehouse`.

    `practices` maps practice codes to ICP codes (the partnership registry); a patient registered
    elsewhere, or nowhere, is attached to `area` as unregistered. Raises sources.InputError for a
    path that cannot be used. Whatever goes wrong before the commit, the warehouse is left as it was.
    """
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit):
        raise ValueError(f"memory_limit {memory_limit!r}: expected a size such as 500MB or 2GB")
    started = time.perf_counter()
    clock = _Clock()
    warehouse = warehouse or Warehouse()
    source = source or default_source(paths)
    files = find_inputs(paths)
    report = IngestReport(source=source)
    clock.mark("find and hash inputs")
    replaces = warehouse.batches_from_source(source) if replace else []
    if not replace:
        earlier = loaded_files(warehouse)
        report.already_loaded = {f.path: earlier[f.sha256] for f in files if f.sha256 in earlier}
        files = [f for f in files if f.sha256 not in earlier]
    report.files = [f.path for f in files]
    if not files:
        report.seconds = time.perf_counter() - started
        return report
    input_sha256 = hashlib.sha256("\n".join(sorted(f.sha256 for f in files)).encode()).hexdigest()
    with warehouse.batch(
        kind="ingest",
        source=source,
        inputs=[str(f.path) for f in files],
        input_sha256=input_sha256,
        replaces=replaces,
    ) as writer:
        report.batch_id = writer.batch_id
        work = warehouse.root / ".staging" / f"{writer.batch_id}-work"
        quarantine_file = quarantine.path_for(warehouse.root, writer.batch_id)
        work.mkdir(parents=True)
        con = _staging_database(work, threads=threads, memory_limit=memory_limit)
        try:
            stager = Stager(con, synthetic=synthetic)
            stager.create_tables()
            paths_taken: dict[str, int] = {"fast": 0, "careful": 0}
            for file_id, file in enumerate(files):
                if file.format == "ndjson":
                    paths_taken[stager.stage_ndjson(file_id, file)] += 1
                else:
                    stager.stage_bundle(file_id, file)
                    paths_taken["careful"] += 1
                if progress:
                    progress(file, file_id + 1, len(files))
            stager.flush()
            clock.mark("stage")
            excluded = set(replaces)
            resolve.prepare(
                con,
                patient_id_key=warehouse.patient_id_key(),
                area=area,
                practices=practices or {},
                warehouse_patient_files=_live_files(warehouse, "patient", excluded),
                warehouse_condition_files=_live_files(warehouse, "condition", excluded),
                warehouse_encounter_files=_live_files(warehouse, "encounter", excluded),
            )
            for table, query in resolve.table_queries(source, writer.batch_id).items():
                for part in resolve.stream(con, query):
                    writer.write(table, part)
                    tally(report, table, part)
            report.unresolved_diagnoses = _scalar(con, resolve.UNRESOLVED_DIAGNOSES)
            clock.mark("place and write")
            con.execute(f"CREATE TEMP TABLE stage2_rejects AS {resolve.STAGE2_REJECTS}")
            _count(con, report, writer.counts)
            report.unknown_practices = _scalar(
                con, "SELECT count(*) FROM patient_placed WHERE reason IS NULL AND unknown_practice"
            )
            if report.put_aside:
                quarantine.fill_missing_text(con, files)
                quarantine_file.parent.mkdir(parents=True, exist_ok=True)
                with open(quarantine_file, "w", encoding="utf-8") as out:
                    quarantine.write(con, files, out)
                report.quarantine_path = quarantine_file
                writer.quarantine_path = str(quarantine_file.relative_to(warehouse.root))
            writer.records_read = report.read
            writer.skipped = report.skipped
            writer.put_aside = report.put_aside
            writer.detail = {
                "files": {f.sha256: str(f.path) for f in files},
                "by_type": {t: vars(c) for t, c in sorted(report.by_type.items())},
                "admitted": report.admitted,
                "admitted_without_method": report.admitted_without_method,
                "admissions_by_method": report.admissions_by_method,
                "unresolved_diagnoses": report.unresolved_diagnoses,
                "area": area,
                "read_paths": paths_taken,
            }
            clock.mark("count and quarantine")
        except BaseException:
            quarantine_file.unlink(missing_ok=True)
            report.quarantine_path = None
            raise
        finally:
            con.close()
            shutil.rmtree(work, ignore_errors=True)
    clock.mark("commit")
    report.replaced_batches = list(replaces)
    report.table_rows = dict(writer.counts)
    report.areas = sorted(set(writer.areas) | _areas_of(warehouse, replaces))
    report.seconds = time.perf_counter() - started
    report.timings, report.cpu_seconds = clock.wall, clock.cpu
    return report


class _Clock:
    """Wall and CPU seconds (all threads of the process) per step."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def mark(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[step], self.cpu[step] = wall - self._wall, cpu - self._cpu
        self._wall, self._cpu = wall, cpu


def _staging_database(work: Path, *, threads: int, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection a load stages in, with the mapping's SQL macros installed.

    In memory, spilling to the work folder beyond `memory_limit`: a database file would compress
    and write every staged row, which costs more than the whole mapping.
    """
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{work / 'spill'}'")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")  # the command shows its own progress
    # No checkpoints of the in-memory staging database: one costs more than staging a file.
    con.execute("SET checkpoint_threshold = '1TB'")
    # The staging tables live in a database of small row groups: DuckDB scans a table one row group
    # per thread at a time, and its default (122,880 rows) leaves the second core idle in most loads.
    con.execute(f"ATTACH ':memory:' AS staging (ROW_GROUP_SIZE {STAGING_ROW_GROUP_ROWS})")
    con.execute("USE staging")
    install_macros(con)
    return con


def _areas_of(warehouse: Warehouse, batch_ids: Sequence[str]) -> set[str]:
    """The ICPs that these (now replaced) batches held rows for."""
    if not batch_ids:
        return set()
    wanted = set(batch_ids)
    batches = warehouse.batches()
    return {
        area
        for batch_id, areas in zip(
            batches.column("batch_id").to_pylist(), batches.column("areas").to_pylist(), strict=True
        )
        if batch_id in wanted
        for area in areas or []
    }


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _count(con: duckdb.DuckDBPyConnection, report: IngestReport, written: Mapping[str, Any]) -> None:
    """Fill report.by_type from the staging tables (read, skipped, put aside) and what was written."""
    rows = con.execute(
        """SELECT coalesce(resource_type, '(no resourceType)'), count(*), count(reason)
        FROM stage GROUP BY ALL"""
    ).fetchall()
    for resource_type, read, put_aside in rows:
        counts = report.counts(resource_type)
        counts.read += read
        counts.put_aside += put_aside
        if resource_type not in MAPPED_TYPES:
            counts.skipped += read - put_aside
    for resource_type, rejected in con.execute(
        "SELECT resource_type, count(*) FROM stage2_rejects GROUP BY ALL"
    ).fetchall():
        report.counts(resource_type).put_aside += rejected
    unreadable = _scalar(con, "SELECT count(*) FROM unreadable")
    if unreadable:
        counts = report.counts(UNREADABLE)
        counts.read += unreadable
        counts.put_aside += unreadable
    for resource_type, counts in report.by_type.items():
        if resource_type in MAPPED_TYPES:
            counts.accepted = counts.read - counts.put_aside

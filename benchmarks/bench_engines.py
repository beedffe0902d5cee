"""Benchmark: one whole ICP stratified on DuckDB and on Spark (local mode), and whether they agree.

    python -m benchmarks engines          # the demo ICP NI-NOR-CA at its list sizes (~98,000 people)
    python -m benchmarks engines --quick  # 2,000 people of the same ICP

Steps: synthesise the ICP (seed 2026, synthetic) into a temporary warehouse; then, each in a fresh
child process so that each engine's time and memory are its own, run the whole stratification
(`icp stratify`'s run: the model fitted on development and hold-out years, then every rule-based
score, the features, the model's risk, tiers and reasons at the extract date) on DuckDB (2 threads)
and on Spark (local[2], bound to 127.0.0.1, the JVM started inside the timed run). Both runs are
written to the same warehouse; every column of every person's result is then compared, and the
number of people with any difference is reported (it must be 0), with the model versions (the same
features and outcomes fit the same model).

Reported per engine: wall time, CPU seconds (user + system of the Python process and of every
process it started: the model-fitting child on DuckDB, Spark's JVM), peak memory of the largest
Python process (the run's or its fitting child's maximum resident set size) and of the JVM (its
high-water mark), and the load average. One run per engine (a whole ICP on
Spark takes minutes on a shared 2-core machine), so the figures are single runs, not medians.
Writes benchmarks/results/engines.json (engines-quick.json with --quick).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.table import Table

ICP = "NI-NOR-CA"
SEED = 2026
QUICK_PEOPLE = 2_000
ENGINES = ("duckdb", "spark")
RESULTS = Path(__file__).resolve().parent / "results"


def _synthesise(root: str, people: int | None) -> None:
    from icp.records.synth.run import synthesise
    from icp.records.warehouse import Warehouse

    synthesise(Warehouse(Path(root)), area=ICP, seed=SEED, people=people)


def _descendants(pid: int) -> list[int]:
    """Every live process started (directly or not) by `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        found += children
        frontier += children
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of the children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _stratify(engine: str, root: str, out: str) -> None:
    """One whole stratification on `engine`, measured from inside the child process."""
    from icp.records.synth.population import EXTRACT_DATE
    from icp.records.warehouse import Warehouse
    from icp.stratify import run

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited_before = waited.ru_utime + waited.ru_stime
    started = time.perf_counter()
    summary = run.run(
        Warehouse(Path(root)),
        index_date=EXTRACT_DATE,
        engine=engine,  # type: ignore[arg-type]
        models_dir=Path(root).parent / f"models-{engine}",
        retrain=True,
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # Processes the run started and has finished with (on DuckDB a first run fits the model in a
    # child process), and those still alive (Spark's JVM).
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    others = _descendants(os.getpid())
    report = {
        "engine": engine,
        "run_id": summary.run_id,
        "model_version": summary.model_version,
        "people": summary.people,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(
            usage.ru_utime
            + usage.ru_stime
            - cpu_before
            + waited.ru_utime
            + waited.ru_stime
            - waited_before
            + sum(map(_cpu_seconds, others)),
            1,
        ),
        "peak_python_mb": round(max(usage.ru_maxrss, waited.ru_maxrss) / 1024),
        "peak_jvm_mb": round(max(map(_peak_mb, others), default=0.0)),
        "timings": {key: round(value, 1) for key, value in summary.timings.items()},
        "load_average_1min_after": round(os.getloadavg()[0], 1),
    }
    Path(out).write_text(json.dumps(report), encoding="utf-8")
    if engine == "spark":
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is not None:
            session.stop()


def differences(expected: pa.Table, actual: pa.Table) -> tuple[int, dict[str, int]]:
    """(people whose results differ in any column or are missing on one side, differing people per column)."""
    left = {row["patient_id"]: row for row in expected.drop_columns(["batch_id"]).to_pylist()}
    right = {row["patient_id"]: row for row in actual.drop_columns(["batch_id"]).to_pylist()}
    people = set(left) ^ set(right)
    per_column: dict[str, int] = {}
    for patient_id in set(left) & set(right):
        differing = [name for name, value in left[patient_id].items() if right[patient_id][name] != value]
        if differing:
            people.add(patient_id)
        for name in differing:
            per_column[name] = per_column.get(name, 0) + 1
    return len(people), per_column


def _child(target: Any, *args: Any) -> float:
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    process = context.Process(target=target, args=args)
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"{target.__name__}{args[:1]} failed (exit {process.exitcode})")
    return time.perf_counter() - started


def main(quick: bool) -> dict[str, Any]:
    from icp.records.warehouse import Warehouse
    from icp.stratify.run import run_results

    console = Console()
    load_before = round(os.getloadavg()[0], 1)
    with tempfile.TemporaryDirectory(prefix="icp-bench-engines-") as folder:
        root = Path(folder) / "warehouse"
        synth_seconds = _child(_synthesise, str(root), QUICK_PEOPLE if quick else None)
        runs: dict[str, dict[str, Any]] = {}
        for engine in ENGINES:
            out = Path(folder) / f"{engine}.json"
            _child(_stratify, engine, str(root), str(out))
            runs[engine] = json.loads(out.read_text(encoding="utf-8"))
        warehouse = Warehouse(root)
        duckdb, spark = (run_results(warehouse, ICP, runs[engine]["run_id"]) for engine in ENGINES)
        differing_people, per_column = differences(duckdb, spark)

    report = {
        "icp": ICP,
        "people": runs["duckdb"]["people"],
        "synth_seconds": round(synth_seconds, 1),
        "runs": runs,
        "spark_over_duckdb_wall": round(runs["spark"]["wall_seconds"] / runs["duckdb"]["wall_seconds"], 1),
        "same_model": runs["duckdb"]["model_version"] == runs["spark"]["model_version"],
        "people_whose_results_differ": differing_people,
        "differing_people_per_column": per_column,
        "load_average_1min_before": load_before,
        "spark_master": os.environ.get("SPARK_MASTER") or "local[2]",
        "spark_driver_memory": os.environ.get("SPARK_DRIVER_MEMORY") or "Spark's default (1g)",
        "quick": quick,
    }
    table = Table(
        title=f"Whole stratification of {ICP}: {report['people']:,} people (synthetic), one run per engine"
    )
    table.add_column("Measure")
    for engine in ENGINES:
        table.add_column(engine, justify="right")
    rows = (
        ("Wall time (s)", "wall_seconds"),
        ("CPU time, user + system, JVM included (s)", "cpu_seconds"),
        ("Peak memory, largest Python process (MB)", "peak_python_mb"),
        ("Peak memory, Spark's JVM (MB)", "peak_jvm_mb"),
        ("Model version", "model_version"),
        ("Load average (1 min) after the run", "load_average_1min_after"),
    )
    for label, key in rows:
        table.add_row(
            label,
            *[
                f"{runs[engine][key]:,}"
                if isinstance(runs[engine][key], int | float)
                else str(runs[engine][key])
                for engine in ENGINES
            ],
        )
    for step in runs["duckdb"]["timings"]:
        table.add_row(
            f"  of which {step} (s)", *[str(runs[engine]["timings"].get(step, "")) for engine in ENGINES]
        )
    console.print(table)
    console.print(
        f"Spark / DuckDB wall time: {report['spark_over_duckdb_wall']}x. "
        f"Same model on both: {report['same_model']}. "
        f"People whose results differ in any column: {differing_people} (must be 0)"
        + (f", by column: {per_column}" if per_column else "")
        + f". Load average before: {load_before}."
    )
    RESULTS.mkdir(exist_ok=True)
    name = "engines-quick.json" if quick else "engines.json"
    (RESULTS / name).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)

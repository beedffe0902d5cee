"""The whole `icp stratify --area NI` command, end to end, as a user runs it: for bench_stratify.

Each run is its own process (`icp stratify`), waited for with `os.wait4`, so its CPU seconds (user +
system) and its peak memory cover the command and every process it starts (the model fit runs in a
child process on a first run); the peak is the largest single process's. Measured on the SQLite
database in the data folder and, when the server can be reached, on a fresh PostgreSQL database
(migrated, the NI structure and the patient index loaded untimed), each as a first run that fits
the model (`--retrain`) and a run with the saved model. `ICP_BENCH_DATABASES=sqlite` (or
`postgresql`) measures one of them only.

The data folder is a synthetic NI made by `icp synth --area NI` (`ICP_BENCH_STRATIFY_DATA` names
one already made; otherwise one is synthesised, untimed: all of NI, or 100,000 people for --quick).

Run alone (the command only, not bench_stratify's scoring part), it prints a table against the
issue's targets and the figures measured before ADR 0198 (a first run scoring while it fits), and
writes benchmarks/results/stratify_command.json. `ICP_BENCH_REPEAT=3` runs each command three
times and judges the target by the median wall time (each run's is listed):

    ICP_BENCH_STRATIFY_DATA=data flock /tmp/icp-bench.lock python -m benchmarks.stratify_command
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
QUICK_PEOPLE = 100_000
# The targets (2-core machine): wall seconds and peak memory.
TARGETS = {"first run": 90.0, "saved model": 45.0}
TARGET_PEAK_GB = 3.0
ICP = str(Path(sys.executable).with_name("icp"))
RESULTS = Path(__file__).resolve().parent / "results"
# Measured after ADR 0196, before ADR 0198, on all of NI (docs/risk-stratification.md, 2 December
# 2026, a quiet machine): wall seconds and peak GB.
PREVIOUS = {
    ("sqlite", "first run"): (168.5, 3.22),
    ("sqlite", "saved model"): (100.4, 3.00),
    ("postgresql", "first run"): (194.4, 3.11),
    ("postgresql", "saved model"): (130.7, 2.88),
}


def _run(arguments: list[str], env: dict[str, str], *, check: bool = True) -> dict[str, Any]:
    """Wall, CPU (user + system, children included) and peak memory (largest process) of a command."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(arguments, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    text = output.decode("utf-8", "replace")
    if check and process.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed ({process.returncode}):\n{text[-3000:]}")
    return {
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_gb": round(usage.ru_maxrss / 1024 / 1024, 2),
        "load_average_1min": [round(load, 1), round(os.getloadavg()[0], 1)],
        "output_tail": text[-1500:],
    }


def _repeated(arguments: list[str], env: dict[str, str], times: int) -> dict[str, Any]:
    """`_run` `times` times: the median wall and CPU seconds, the largest peak, and every run's wall.

    A shared two-core machine's speed varies from minute to minute (the same run has taken 44 s and
    63 s within an hour), so one run says little about a target a few seconds away; the median of
    several, each listed, says more (ICP_BENCH_REPEAT).
    """
    results = [_run(arguments, env) for _ in range(times)]
    summary = dict(results[-1])
    summary.update(
        wall_seconds=round(statistics.median(r["wall_seconds"] for r in results), 1),
        cpu_seconds=round(statistics.median(r["cpu_seconds"] for r in results), 1),
        peak_gb=max(r["peak_gb"] for r in results),
        runs=len(results),
        wall_seconds_each=[r["wall_seconds"] for r in results],
        cpu_seconds_each=[r["cpu_seconds"] for r in results],
        load_average_1min=[results[0]["load_average_1min"][0], results[-1]["load_average_1min"][-1]],
    )
    return summary


def _runs_asked() -> int:
    """ICP_BENCH_REPEAT: how many times each command runs (1 when unset)."""
    given = os.environ.get("ICP_BENCH_REPEAT", "1")
    if not given.isdigit() or int(given) < 1:
        raise SystemExit(f"ICP_BENCH_REPEAT={given!r}: expected a whole number of runs, 1 or more")
    return int(given)


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "ICP_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def prepare(data_dir: Path, quick: bool) -> None:
    """A synthetic NI in `data_dir` with its SQLite app database (migrated, structure, index)."""
    env = _environment(data_dir, None)
    _run([ICP, "migrate"], env)
    _run([ICP, "load-structure"], env)
    people = ["--people", str(QUICK_PEOPLE)] if quick else []
    _run([ICP, "synth", "--area", "NI", "--seed", "1", *people], env)


def _postgres(server: str, statement: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{server}/postgres", connect_timeout=3, autocommit=True) as con:
            con.execute(statement)
    except Exception:  # not reachable: the benchmark says so and measures SQLite only
        return False
    return True


INDEX = "from icp.django_setup import setup_django; setup_django(); from icp.patients.sync import \
sync_patient_index; from icp.records.warehouse import Warehouse; from icp.stratify.run import areas_in; \
sync_patient_index(areas=areas_in(Warehouse()))"


def measure(data_dir: Path, database_url: str | None, *, all_of_ni: bool) -> dict[str, Any]:
    """First run (fits the model) and a run with the saved model, on one database."""
    env = _environment(data_dir, database_url)
    if database_url:
        _run([ICP, "migrate"], env)
        _run([ICP, "load-structure"], env)
        _run([sys.executable, "-c", INDEX], env)
    repeat = _runs_asked()
    runs = {
        "first run": _repeated([ICP, "stratify", "--area", "NI", "--retrain"], env, repeat),
        "saved model": _repeated([ICP, "stratify", "--area", "NI"], env, repeat),
    }
    for name, result in runs.items():  # the targets are for all of NI: none for a smaller run
        result["wall_target_met"] = result["wall_seconds"] < TARGETS[name] if all_of_ni else None
        result["memory_target_met"] = result["peak_gb"] < TARGET_PEAK_GB if all_of_ni else None
    return runs


def whole_command(quick: bool) -> dict[str, Any]:
    """Both databases' measurements (PostgreSQL skipped, and said, when it cannot be reached)."""
    given = os.environ.get("ICP_BENCH_STRATIFY_DATA")
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="icp-bench-e2e-"))
    people = "as in the given data folder" if given else ("NI" if not quick else QUICK_PEOPLE)
    report: dict[str, Any] = {"data_dir": str(folder), "people": people}
    try:
        if not given:
            prepare(folder, quick)
        all_of_ni = not quick  # a given folder counts as all of NI unless --quick
        databases = os.environ.get("ICP_BENCH_DATABASES", "sqlite,postgresql").split(",")
        if "sqlite" in databases:
            report["sqlite"] = measure(folder, None, all_of_ni=all_of_ni)
        if "postgresql" not in databases:
            return report
        server = os.environ.get("ICP_BENCH_DATABASE_URL", DEFAULT_POSTGRES).rstrip("/")
        database = f"icp_bench_stratify_{secrets.token_hex(4)}"
        if _postgres(server, f"CREATE DATABASE {database}"):
            try:
                report["postgresql"] = measure(folder, f"{server}/{database}", all_of_ni=all_of_ni)
            finally:
                _postgres(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        else:
            report["postgresql"] = f"not reachable at {server}"
    finally:
        if not given:
            shutil.rmtree(folder, ignore_errors=True)
    return report


def table_of(command: dict[str, Any]) -> Any:
    """The measurements as a table: each run against its target and the figure measured before."""
    from rich.table import Table

    out = Table(title=f"icp stratify --area NI, end to end (people: {command['people']})")
    headings = ("Database", "Run", "Wall s", "CPU s", "Peak GB", "Target s", "Before s", "Before / now")
    for heading in (*headings, "Target met", "Load avg (1 min)"):
        out.add_column(heading, justify="left" if heading in ("Database", "Run") else "right")
    for database in ("sqlite", "postgresql"):
        if database not in command:  # not asked for (ICP_BENCH_DATABASES): no row
            continue
        runs = command[database]
        if not isinstance(runs, dict):
            out.add_row(database, str(runs), *[""] * 8)
            continue
        for name, result in runs.items():
            if result["wall_target_met"] is None:
                met = "not all of NI"
            else:
                met = "wall" if result["wall_target_met"] else "no (wall)"
                met += ", memory" if result["memory_target_met"] else ", no (memory)"
            before = PREVIOUS.get((database, name))
            result["before_wall_seconds"] = before[0] if before else None
            result["before_over_now"] = round(before[0] / result["wall_seconds"], 2) if before else None
            out.add_row(
                database,
                name,
                _walls(result),
                f"{result['cpu_seconds']}",
                f"{result['peak_gb']}",
                f"{TARGETS[name]:.0f}",
                f"{before[0]:.0f}" if before else "not measured",
                f"{result['before_over_now']}x" if before else "",
                met,
                " → ".join(str(x) for x in result["load_average_1min"]),
            )
    return out


def _walls(result: dict[str, Any]) -> str:
    """The wall seconds: the median, and each run's when there were several."""
    each = result.get("wall_seconds_each", [])
    if len(each) <= 1:
        return f"{result['wall_seconds']}"
    return f"{result['wall_seconds']} (median of {', '.join(str(w) for w in each)})"


def main(quick: bool = False) -> dict[str, Any]:
    from rich.console import Console

    command = whole_command(quick)
    Console().print(table_of(command))
    RESULTS.mkdir(exist_ok=True)
    name = "stratify_command-quick.json" if quick else "stratify_command.json"
    (RESULTS / name).write_text(json.dumps(command, indent=1) + "\n", encoding="utf-8")
    return command


if __name__ == "__main__":
    main("--quick" in sys.argv[1:])

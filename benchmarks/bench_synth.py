"""Benchmark `icp synth`: all of NI with its four years of history, and five times NI, on 2 cores.

Full mode synthesises all 17 NI ICPs at their real list sizes (2,050,887 people, with the four
years of monthly history: admissions, A&E, discharges, deaths, amputations, referrals, pathway
enrolments and care plans) with two worker processes, in a fresh subprocess so that what is
measured is the job's own: wall time, CPU seconds (user + system of the job and its workers) and
peak memory of the largest single process (getrusage; the workers' peak is the largest child's).
The load average of the machine is recorded beside each run: the machine is shared, and on a
loaded machine the wall time says more about the others than about the synthesiser.
Targets (issues 11 and 12): NI under 60 s and 4 GB.

`--ten-million` (or ICP_BENCH_SYNTH_TEN_MILLION=1) also synthesises five times NI
(`--people 10254435`: every ICP five times its list size, in interleaved blocks) once, and reports
its ratio to NI's time. Target: peak memory under 4 GB, time at most 5.5 times NI's. Run it under
`flock /tmp/icp-bench.lock`; it takes several minutes.

Quick mode (for CI-sized runs) synthesises one ICP (NI-NOR-CA, ~100,000 people), three times,
and quotes the median.

The baseline, run in the same process on a small sample, is a plain per-person Python generator
doing the same steps (age and sex, registers, deficits, yearly admissions and death); it is
reported per person and compared by ratio with the vectorised generator's time per person.

    python -m benchmarks synth --quick      # or: python -m benchmarks.bench_synth --quick
    flock /tmp/icp-bench.lock python -m benchmarks.bench_synth --ten-million
"""

from __future__ import annotations

import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 60
TARGET_PEAK_GB = 4.0
TARGET_SCALE_RATIO = 5.5
SCALE = 5  # the large run: this many times NI's people
BASELINE_PEOPLE = 3000

CHILD = """
import json, os, resource, sys, time
from pathlib import Path
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse
if __name__ == "__main__":
    area, workers, root = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    people = int(sys.argv[4]) if sys.argv[4] != "list" else None
    load_before = os.getloadavg()
    started = time.perf_counter()
    results = synthesise(Warehouse(root), area=area, seed=1, workers=workers, people=people)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "seconds": seconds,
        "cpu_seconds": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
        "people": sum(r.people for r in results),
        "rows": sum(sum(r.rows.values()) for r in results),
        "peak_main_mb": own.ru_maxrss / 1024,
        "peak_largest_worker_mb": children.ru_maxrss / 1024,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }))
"""


def run_child(area: str, workers: int, people: int | None = None) -> dict[str, Any]:
    data = Path(os.environ.get("ICP_DATA_DIR", tempfile.gettempdir()))
    data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-synth-", dir=data) as folder:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), *sys.path])}
        output = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                area,
                str(workers),
                str(Path(folder) / "warehouse"),
                str(people) if people else "list",
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def _peak_gb(run: dict[str, Any]) -> float:
    return float(max(run["peak_main_mb"], run["peak_largest_worker_mb"])) / 1024


def _load(run: dict[str, Any]) -> str:
    before, after = run["load_before"], run["load_after"]
    return f"{before[0]:.1f} → {after[0]:.1f}"


def naive_per_person(people: int, seed: int = 1) -> float:
    """Seconds per person for a plain Python generator: the same steps person by person, building
    each row as a dict and the tables with `pa.Table.from_pylist` (in memory; no Parquet)."""
    import pyarrow as pa

    rng = random.Random(seed)
    started = time.perf_counter()
    patients, conditions, observations, encounters = [], [], [], []
    for person in range(people):
        pid = f"S-NAIVE-{person}"
        age = rng.random() * 95
        male = rng.random() < 0.49
        health = rng.gauss(0, 1)
        frailty = 0.6 * health + 0.8 * rng.gauss(0, 1)
        patients.append({"patient_id": pid, "sex": "male" if male else "female", "age": age})
        held = 0
        for register in range(14):
            if rng.random() < 1 / (1 + math.exp(-(-4 + 0.08 * (age - 50) + 0.4 * health))):
                held += 1
                conditions.append({"patient_id": pid, "code": str(register), "onset": rng.random() * age})
        found = 0
        for deficit in range(28):
            if rng.random() < 1 / (1 + math.exp(-(-3 + 0.05 * (age - 75) + 0.5 * frailty + 0.12 * held))):
                found += 1
                conditions.append({"patient_id": pid, "code": f"d{deficit}", "onset": rng.random() * age})
        efi = (found + held) / 36
        for year in range(4):
            for _measure in range(2 if held else 1):
                observations.append({"patient_id": pid, "year": year, "value": rng.gauss(130, 15)})
            contacts = int(rng.expovariate(1 / (0.8 + 0.025 * age + 0.6 * held + 4 * efi)))
            for _contact in range(contacts):
                encounters.append({"patient_id": pid, "setting": "gp", "day": rng.randrange(365)})
            rate = 0.07 * math.exp(4 * efi + 0.15 * held)
            while rng.random() < rate / (1 + rate):
                encounters.append({"patient_id": pid, "setting": "inpatient", "day": rng.randrange(365)})
            if rng.random() < 0.01 * math.exp(5 * efi):
                break
    for rows in (patients, conditions, observations, encounters):
        pa.Table.from_pylist(rows)
    return (time.perf_counter() - started) / people


def main(quick: bool, ten_million: bool = False) -> None:
    console = Console()
    area, workers, repeats = ("NI-NOR-CA", 1, 3) if quick else ("NI", 2, 1)
    console.print(f"Synthesising {area} with {workers} worker(s), {repeats} run(s)…")
    runs = [run_child(area, workers) for _ in range(repeats)]
    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    people = int(runs[0]["people"])
    peak_gb = max(_peak_gb(r) for r in runs)
    scaled: dict[str, Any] | None = None
    if ten_million and not quick:
        console.print(f"Synthesising {SCALE} times NI ({SCALE * people:,} people)…")
        scaled = run_child("NI", workers, SCALE * people)
    baseline = statistics.median(naive_per_person(BASELINE_PEOPLE, seed) for seed in (1, 2, 3))
    vectorised = seconds / people
    table = Table(title=f"icp synth --area {area} ({'quick' if quick else 'full'}; median of {repeats})")
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_column("Target", justify="right")
    table.add_row("people", f"{people:,}", "")
    table.add_row("rows written (four years of history)", f"{int(runs[0]['rows']):,}", "")
    table.add_row("wall time (s)", f"{seconds:.1f}", f"< {TARGET_SECONDS}" if not quick else "")
    table.add_row("CPU seconds (user + system, workers included)", f"{cpu:.1f}", "")
    # Under 2 on a busy machine: the other jobs' share of the two cores, not the synthesiser's waits.
    table.add_row("cores used (CPU seconds / wall)", f"{cpu / seconds:.2f}", "")
    table.add_row("people per second", f"{people / seconds:,.0f}", "")
    table.add_row("peak memory, largest process (GB)", f"{peak_gb:.2f}", f"< {TARGET_PEAK_GB}")
    table.add_row("load average (1 min) before → after", _load(runs[len(runs) // 2]), "")
    table.add_row("vectorised, µs per person (all tables written)", f"{vectorised * 1e6:.1f}", "")
    table.add_row(
        f"naive per-person loop, µs per person ({BASELINE_PEOPLE:,}; rows to Arrow, not Parquet)",
        f"{baseline * 1e6:.1f}",
        "",
    )
    table.add_row("ratio naive / vectorised", f"{baseline / vectorised:.1f}x", "")
    if scaled is not None:
        table.add_row(f"{SCALE} x NI: people", f"{int(scaled['people']):,}", "")
        table.add_row(f"{SCALE} x NI: rows written", f"{int(scaled['rows']):,}", "")
        table.add_row(f"{SCALE} x NI: wall time (s)", f"{scaled['seconds']:.1f}", "")
        table.add_row(f"{SCALE} x NI: CPU seconds", f"{scaled['cpu_seconds']:.1f}", "")
        table.add_row(f"{SCALE} x NI: cores used", f"{scaled['cpu_seconds'] / scaled['seconds']:.2f}", "")
        table.add_row(
            f"{SCALE} x NI: peak memory, largest process (GB)",
            f"{_peak_gb(scaled):.2f}",
            f"< {TARGET_PEAK_GB}",
        )
        table.add_row(f"{SCALE} x NI: load average before → after", _load(scaled), "")
        table.add_row(
            f"{SCALE} x NI / NI, wall time", f"{scaled['seconds'] / seconds:.2f}", f"<= {TARGET_SCALE_RATIO}"
        )
        table.add_row(f"{SCALE} x NI / NI, CPU seconds", f"{scaled['cpu_seconds'] / cpu:.2f}", "")
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = RESULTS / f"synth-{'quick' if quick else 'full'}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "synth",
                "mode": "quick" if quick else "full",
                "area": area,
                "workers": workers,
                "runs": runs,
                "median_seconds": seconds,
                "median_cpu_seconds": cpu,
                "people": people,
                "people_per_second": people / seconds,
                "peak_process_gb": peak_gb,
                "scaled": scaled,
                "scaled_over_ni_seconds": scaled["seconds"] / seconds if scaled else None,
                "scaled_over_ni_cpu_seconds": scaled["cpu_seconds"] / cpu if scaled else None,
                "baseline_naive_seconds_per_person": baseline,
                "vectorised_seconds_per_person": vectorised,
                "ratio_naive_over_vectorised": baseline / vectorised,
                "targets": {
                    "seconds": TARGET_SECONDS,
                    "peak_gb": TARGET_PEAK_GB,
                    "scale_ratio": TARGET_SCALE_RATIO,
                },
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )
    console.print(f"Wrote {out}")


if __name__ == "__main__":
    main(
        quick="--quick" in sys.argv,
        ten_million="--ten-million" in sys.argv or os.environ.get("ICP_BENCH_SYNTH_TEN_MILLION") == "1",
    )

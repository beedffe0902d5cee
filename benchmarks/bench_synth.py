"""Benchmark `icp synth`: people a second, wall time and peak memory, against a per-person baseline.

Full mode synthesises all 17 NI ICPs at their real list sizes (~2.05 million people) with two
worker processes, once, in a fresh subprocess so that peak memory is the job's own (getrusage of
the children: the largest single process; the two workers' peaks are also summed, an upper bound
of the job's total). Target: under 2 minutes and under 4 GB on 2 cores.

Quick mode (for CI-sized runs) synthesises one ICP (NI-NOR-CA, ~100,000 people), three times,
and quotes the median.

The baseline, run in the same process on a small sample, is a plain per-person Python generator
doing the same steps (age and sex, registers, deficits, yearly admissions and death); it is
reported per person and compared by ratio with the vectorised generator's time per person.

    python -m benchmarks synth --quick      # or: python -m benchmarks.bench_synth --quick
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

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 120
TARGET_PEAK_GB = 4.0
BASELINE_PEOPLE = 3000

CHILD = """
import json, resource, sys, time
from pathlib import Path
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse
area, workers, root = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
started = time.perf_counter()
results = synthesise(Warehouse(root), area=area, seed=1, workers=workers)
seconds = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({
    "seconds": seconds,
    "people": sum(r.people for r in results),
    "rows": sum(sum(r.rows.values()) for r in results),
    "peak_main_mb": own / 1024,
    "peak_largest_worker_mb": children / 1024,
}))
"""


def run_child(area: str, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as folder:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), *sys.path])}
        output = subprocess.run(
            [sys.executable, "-c", CHILD, area, str(workers), str(Path(folder) / "warehouse")],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    result: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


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


def main(quick: bool) -> None:
    console = Console()
    area, workers, repeats = ("NI-NOR-CA", 1, 3) if quick else ("NI", 2, 1)
    console.print(f"Synthesising {area} with {workers} worker(s), {repeats} run(s)…")
    runs = [run_child(area, workers) for _ in range(repeats)]
    seconds = statistics.median(r["seconds"] for r in runs)
    people = int(runs[0]["people"])
    peak_process_gb = max(max(r["peak_main_mb"], r["peak_largest_worker_mb"]) for r in runs) / 1024
    peak_total_gb = max(r["peak_main_mb"] + workers * r["peak_largest_worker_mb"] for r in runs) / 1024
    if workers == 1:
        peak_total_gb = peak_process_gb
    baseline = statistics.median(naive_per_person(BASELINE_PEOPLE, seed) for seed in (1, 2, 3))
    vectorised = seconds / people
    table = Table(title=f"icp synth --area {area} ({'quick' if quick else 'full'}; median of {repeats})")
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_column("Target", justify="right")
    table.add_row("people", f"{people:,}", "")
    table.add_row("rows written", f"{int(runs[0]['rows']):,}", "")
    table.add_row("wall time (s)", f"{seconds:.1f}", f"< {TARGET_SECONDS}" if not quick else "")
    table.add_row("people per second", f"{people / seconds:,.0f}", "")
    table.add_row("peak memory, largest process (GB)", f"{peak_process_gb:.2f}", "")
    table.add_row(
        "peak memory, all processes (GB, upper bound)", f"{peak_total_gb:.2f}", f"< {TARGET_PEAK_GB}"
    )
    table.add_row("vectorised, µs per person (all tables written)", f"{vectorised * 1e6:.1f}", "")
    table.add_row(
        f"naive per-person loop, µs per person ({BASELINE_PEOPLE:,}; rows to Arrow, not Parquet)",
        f"{baseline * 1e6:.1f}",
        "",
    )
    table.add_row("ratio naive / vectorised", f"{baseline / vectorised:.1f}x", "")
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
                "people": people,
                "people_per_second": people / seconds,
                "peak_process_gb": peak_process_gb,
                "peak_total_gb_upper_bound": peak_total_gb,
                "baseline_naive_seconds_per_person": baseline,
                "vectorised_seconds_per_person": vectorised,
                "ratio_naive_over_vectorised": baseline / vectorised,
                "targets": {"seconds": TARGET_SECONDS, "peak_gb": TARGET_PEAK_GB},
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )
    console.print(f"Wrote {out}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

"""Benchmark `icp measure`: every indicator, four years monthly, on DuckDB, against a pandas baseline.

    python -m benchmarks measure            # all of NI (~2.05 million people, 17 ICPs)
    python -m benchmarks measure --quick    # one ICP (NI-NOR-CA, ~100,000 people)

Setup, not timed: `icp synth` writes the area (seed 1, four years of history to 31 March 2026)
into a temporary warehouse; ICP_BENCH_WAREHOUSE names an existing warehouse of the same area to
use instead (synthesising NI takes minutes). Timed, each in a fresh process so that its peak
memory is its own, repeated and quoted as medians:

- every indicator's cells on DuckDB and the four published, disclosure-controlled tables (what
  `icp measure --out` writes, less the file writing), with the memory limit `icp measure` gives
  DuckDB: wall time, CPU time (all threads) and peak resident memory. Target on these 2-core
  machines: under 30 s and 3 GB for all of NI;
- the baseline, in the same run: the population cells and the two emergency-admission indicators
  (people x months by practice, quintile, age band and sex, and admissions by the same) written
  plainly in pandas (read the Parquet files, cross people with months, count), against DuckDB
  doing exactly those: the ratio of the medians.

Machines are shared: the load average is recorded beside the figures, and CPU time is the steadier
measure of the work. Writes benchmarks/results/measure-<mode>-<time>.json.
"""

from __future__ import annotations

import json
import os
import platform
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
TARGET_SECONDS = 30
TARGET_PEAK_GB = 3.0
REPEATS = 3

CHILD = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from icp.measure.indicators.cells import Months
from icp.measure.indicators.definition import indicator
from icp.measure.indicators.run import MEMORY_LIMIT, measure, published
from icp.records.engine import connect, open_tables
from icp.records.warehouse import Warehouse
root, mode = Path(sys.argv[1]), sys.argv[2]
months = Months(dt.date(2022, 4, 1), dt.date(2026, 3, 1))
started = time.perf_counter()
if mode == "all":
    tables = open_tables(Warehouse(root), con=connect("duckdb", memory_limit=MEMORY_LIMIT))
    result = measure(tables, months)
    shared_seconds = time.perf_counter() - started
    rows = sum(len(t) for t in published(result).values())
else:
    chosen = [indicator("emergency_admissions_65"), indicator("emergency_admissions_75")]
    tables = open_tables(Warehouse(root), con=connect("duckdb", memory_limit=MEMORY_LIMIT))
    result = measure(tables, months, chosen=chosen)
    shared_seconds = time.perf_counter() - started
    rows = sum(len(c) for c in result.cells.values())
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - started, "shared_seconds": shared_seconds,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "rows": rows,
                  "timings": result.timings, "peak_mb": usage.ru_maxrss / 1024}))
"""

PANDAS = """
import json, resource, sys, time
from pathlib import Path
import numpy as np, pandas as pd
root = Path(sys.argv[1])
started = time.perf_counter()
patient = pd.concat(pd.read_parquet(p, columns=["patient_id", "icp", "practice_code", "sex", "birth_date",
    "death_date", "deprivation_quintile"]) for p in sorted((root / "patient").rglob("*.parquet")))
encounter = pd.concat(pd.read_parquet(p, columns=["patient_id", "admission_method", "start_date"])
    for p in sorted((root / "encounter").rglob("*.parquet")))
months = pd.date_range("2022-04-01", "2026-03-01", freq="MS")
birth = pd.to_datetime(patient["birth_date"]); death = pd.to_datetime(patient["death_date"])
cells = []
for month in months:
    mid = month + pd.Timedelta(days=14)
    alive = (birth <= mid) & (death.isna() | (death > mid))
    age = (mid.year - birth.dt.year) - ((birth.dt.month * 100 + birth.dt.day) > (mid.month * 100 + mid.day))
    band = np.minimum(age // 5 * 5, 90)
    keys = ["icp", "practice_code", "deprivation_quintile", "sex"]
    frame = patient.loc[alive, keys].assign(band=band[alive])
    cells.append(frame.value_counts().rename("population").reset_index().assign(period=month))
population = pd.concat(cells)
emergency = encounter[encounter["admission_method"] == "emergency"].merge(patient, on="patient_id")
start = pd.to_datetime(emergency["start_date"]); b = pd.to_datetime(emergency["birth_date"])
later = (b.dt.month * 100 + b.dt.day) > (start.dt.month * 100 + start.dt.day)
emergency["age"] = (start.dt.year - b.dt.year) - later
emergency["period"] = start.dt.to_period("M").dt.to_timestamp()
emergency["band"] = np.minimum(emergency["age"] // 5 * 5, 90)
out = []
for low in (65, 75):
    chosen = emergency[emergency["age"] >= low]
    counted = chosen.groupby(["period", "icp", "practice_code", "deprivation_quintile", "band", "sex"]).size()
    out.append(len(counted))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "rows": int(sum(out) + len(population)), "peak_mb": usage.ru_maxrss / 1024}))
"""

SYNTH = """
import sys
from pathlib import Path
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse
synthesise(Warehouse(Path(sys.argv[1])), area=sys.argv[2], seed=1, workers=2)
"""


def _run(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def _measured(code: str, *args: str) -> dict[str, Any]:
    """Run a timed child and read the JSON line it prints last."""
    lines = _run(code, *args).strip().splitlines()
    if not lines:
        raise RuntimeError("benchmark child printed no result")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(float(run[key]) for run in runs))


def _warehouse(area: str, folder: Path, console: Console) -> tuple[Path, float | None]:
    given = os.environ.get("ICP_BENCH_WAREHOUSE")
    if given:
        console.print(f"Using the warehouse at {given} (ICP_BENCH_WAREHOUSE; it should hold {area}).")
        return Path(given), None
    root = folder / "warehouse"
    console.print(f"Synthesising {area} (seed 1)…")
    began = time.perf_counter()
    _run(SYNTH, str(root), area)
    seconds = time.perf_counter() - began
    console.print(f"…in {seconds:.0f} s.")
    return root, seconds


def main(quick: bool) -> None:
    console = Console()
    area = "NI-NOR-CA" if quick else "NI"
    mode = "quick" if quick else "full"
    everything: list[dict[str, Any]] = []
    subset: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-measure-") as folder:
        root, synth_seconds = _warehouse(area, Path(folder), console)
        for repeat in range(1, REPEATS + 1):
            console.print(f"Run {repeat} of {REPEATS}: every indicator on DuckDB…")
            everything.append(_measured(CHILD, str(root), "all"))
            console.print(f"  {everything[-1]['seconds']:.1f} s; the baseline subset on DuckDB, then pandas…")
            subset.append(_measured(CHILD, str(root), "subset"))
            baseline.append(_measured(PANDAS, str(root)))
    load_after = os.getloadavg()
    seconds = _median(everything, "seconds")
    cpu = _median(everything, "cpu_seconds")
    peak_gb = max(float(run["peak_mb"]) for run in everything) / 1024
    duck, plain = _median(subset, "seconds"), _median(baseline, "seconds")
    title = f"icp measure --area {area}: every indicator, 48 months ({mode}, median of {REPEATS})"
    table = Table(title=title)
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_column("Target", justify="right")
    target = not quick
    table.add_row(
        "every indicator, cells + published tables, wall (s)",
        f"{seconds:.1f}",
        f"< {TARGET_SECONDS}" if target else "",
    )
    table.add_row(
        "  of which shared tables: people, spells, population, scores (s)",
        f"{_median(everything, 'shared_seconds'):.1f}",
        "",
    )
    table.add_row("  CPU, all threads (s)", f"{cpu:.1f}", "")
    table.add_row("peak memory, largest run (GB)", f"{peak_gb:.2f}", f"< {TARGET_PEAK_GB}" if target else "")
    table.add_row("published rows", f"{int(everything[-1]['rows']):,}", "")
    table.add_row("baseline work on DuckDB: population + 2 admission indicators (s)", f"{duck:.1f}", "")
    table.add_row("the same in pandas (s)", f"{plain:.1f}", "")
    table.add_row("ratio pandas / DuckDB", f"{plain / duck:.1f}x", "")
    table.add_row("pandas peak memory (GB)", f"{max(float(r['peak_mb']) for r in baseline) / 1024:.2f}", "")
    table.add_row("load average before / after", f"{load_before[0]:.1f} / {load_after[0]:.1f}", "")
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = RESULTS / f"measure-{mode}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "measure",
                "mode": mode,
                "area": area,
                "repeats": REPEATS,
                "synth_seconds": synth_seconds,
                "median_seconds": seconds,
                "median_cpu_seconds": cpu,
                "peak_gb": peak_gb,
                "median_subset_duckdb_seconds": duck,
                "median_subset_pandas_seconds": plain,
                "duckdb_all": everything,
                "duckdb_subset": subset,
                "pandas_subset": baseline,
                "targets": {"seconds": TARGET_SECONDS, "peak_gb": TARGET_PEAK_GB},
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "load_average": {"before": load_before, "after": load_after},
            },
            indent=2,
        )
    )
    console.print(f"Wrote {out}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

"""Benchmark `icp measure`: every indicator, four years monthly, on DuckDB, against a pandas baseline.

Full mode synthesises all of NI (~2.05 million people, seed 1) into a temporary warehouse, then,
in a fresh subprocess (so peak memory is the job's own), computes every indicator's cells and the
four published tables on DuckDB. Target: under 30 s and 3 GB on 2 cores. Quick mode does one ICP
(NI-NOR-CA, ~100,000 people).

The baseline, in the same run, is the same population-rate work done in pandas (read the Parquet
files, cross people with months, count admissions): the population cells and the emergency
admission indicators, compared by time with DuckDB doing exactly those.

    python -m benchmarks measure --quick      # or: python -m benchmarks.bench_measure --quick
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 30
TARGET_PEAK_GB = 3.0

CHILD = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from icp.measure.indicators.cells import Months
from icp.measure.indicators.definition import indicator
from icp.measure.indicators.run import measure, published
from icp.records.engine import open_tables
from icp.records.warehouse import Warehouse
root, mode = Path(sys.argv[1]), sys.argv[2]
months = Months(dt.date(2022, 4, 1), dt.date(2026, 3, 1))
started = time.perf_counter()
if mode == "all":
    result = measure(open_tables(Warehouse(root)), months)
    tables = published(result)
    rows = sum(len(t) for t in tables.values())
    timings = result.timings
else:
    chosen = [indicator("emergency_admissions_65"), indicator("emergency_admissions_75")]
    result = measure(open_tables(Warehouse(root)), months, chosen=chosen)
    rows = sum(len(c) for c in result.cells.values())
    timings = result.timings
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": rows, "timings": timings,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": int(sum(out) + len(population)),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), *sys.path])}
    output = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=env
    )
    result: dict[str, object] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def main(quick: bool) -> None:
    console = Console()
    area = "NI-NOR-CA" if quick else "NI"
    with tempfile.TemporaryDirectory(prefix="bench-measure-") as folder:
        root = Path(folder) / "warehouse"
        console.print(f"Synthesising {area} (seed 1)…")
        began = time.perf_counter()
        _child(
            "import sys; from pathlib import Path; from icp.records.synth.run import synthesise; "
            "from icp.records.warehouse import Warehouse; "
            "synthesise(Warehouse(Path(sys.argv[1])), area=sys.argv[2], seed=1, workers=2)",
            str(root),
            area,
        )
        console.print(f"…in {time.perf_counter() - began:.0f} s. Measuring on DuckDB…")
        everything = _child(CHILD, str(root), "all")
        subset = _child(CHILD, str(root), "subset")
        console.print("pandas baseline…")
        baseline = _child(PANDAS, str(root))
    seconds = float(everything["seconds"])  # type: ignore[arg-type]
    peak_gb = float(everything["peak_mb"]) / 1024  # type: ignore[arg-type]
    table = Table(
        title=f"icp measure --area {area}: every indicator, 48 months ({'quick' if quick else 'full'})"
    )
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_column("Target", justify="right")
    table.add_row(
        "every indicator on DuckDB, cells + published tables (s)",
        f"{seconds:.1f}",
        "" if quick else f"< {TARGET_SECONDS}",
    )
    table.add_row("peak memory (GB)", f"{peak_gb:.2f}", "" if quick else f"< {TARGET_PEAK_GB}")
    table.add_row("published rows", f"{int(everything['rows']):,}", "")  # type: ignore[call-overload]
    table.add_row("population + 2 admission indicators, DuckDB (s)", f"{float(subset['seconds']):.1f}", "")  # type: ignore[arg-type]
    table.add_row("the same in pandas (s)", f"{float(baseline['seconds']):.1f}", "")  # type: ignore[arg-type]
    table.add_row(
        "ratio pandas / DuckDB",
        f"{float(baseline['seconds']) / float(subset['seconds']):.1f}x",
        "",  # type: ignore[arg-type]
    )
    table.add_row("pandas peak memory (GB)", f"{float(baseline['peak_mb']) / 1024:.2f}", "")  # type: ignore[arg-type]
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = RESULTS / f"measure-{'quick' if quick else 'full'}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "measure",
                "mode": "quick" if quick else "full",
                "area": area,
                "duckdb_all": everything,
                "duckdb_subset": subset,
                "pandas_subset": baseline,
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

"""Benchmark `icp ingest` of FHIR R4 Bulk Data NDJSON: resources a second and peak memory.

Generates a synthetic Bulk Data export (every resource tagged as test data; the ids say synthetic),
times `ingest` into an empty warehouse in a fresh subprocess (so peak memory is the ingest's own,
from getrusage), and compares with a baseline that parses a sample of the same records with the
`fhir.resources` R4B models, in the same run. Quick mode: ~200,000 resources, three runs, median.
Full mode: 10 million resources (about 5 GB of NDJSON), one run.

    python -m benchmarks ingest --quick      # or: python -m benchmarks.bench_ingest --quick
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
TAG = "{'tag': [{'system': 'http://terminology.hl7.org/CodeSystem/v3-ActReason', 'code': 'HTEST'}]}"
# Share of each resource type in the generated export (roughly a GP + hospital extract).
MIX = {
    "Patient": 0.02,
    "Observation": 0.55,
    "Condition": 0.08,
    "Encounter.000": 0.12,  # outpatient / GP contacts
    "Encounter.001": 0.03,  # emergency admissions with two contained ICD-10 diagnoses each
    "MedicationRequest": 0.15,
    "Procedure": 0.05,
}


def _coding(system: str, code: str, display: str) -> str:
    return f"{{'coding': [{{'system': '{system}', 'code': {code}, 'display': '{display}'}}]}}"


def generate(folder: Path, resources: int) -> dict[str, int]:
    """Write the Bulk Data files with DuckDB (vectorised); returns resources per file stem."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {stem: max(1, int(resources * share)) for stem, share in MIX.items()}
    patients = counts["Patient"]
    subject = f"{{'reference': 'Patient/synthetic-p' || (i % {patients})}}"
    when = "strftime(DATE '2018-01-01' + CAST(i % 2000 AS INTEGER), '%Y-%m-%d') || 'T09:30:00+00:00'"
    selects = {
        "Patient": f"""SELECT 'Patient' AS resourceType, 'synthetic-p' || i AS id, {TAG} AS meta,
            CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END AS gender,
            strftime(DATE '1930-01-01' + CAST(i % 30000 AS INTEGER), '%Y-%m-%d') AS birthDate,
            [{{'use': 'home', 'postalCode': 'BT' || (1 + i % 90) || ' 1AA'}}] AS address""",
        "Observation": f"""SELECT 'Observation' AS resourceType, 'synthetic-o' || i AS id, {TAG} AS meta,
            'final' AS status, {_coding("http://loinc.org", "'4548-4'", "Hemoglobin A1c")} AS code,
            {subject} AS subject, {when} AS effectiveDateTime,
            {{'value': 30 + (i % 70) * 0.5, 'unit': 'mmol/mol'}} AS valueQuantity""",
        "Condition": f"""SELECT 'Condition' AS resourceType, 'synthetic-c' || i AS id, {TAG} AS meta,
            {_coding("http://snomed.info/sct", "CAST(38341003 + i % 50 AS VARCHAR)", "Condition")} AS code,
            {subject} AS subject, {when} AS onsetDateTime""",
        "Encounter.000": f"""SELECT 'Encounter' AS resourceType, 'synthetic-e' || i AS id, {TAG} AS meta,
            'finished' AS status,
            {{'system': 'http://terminology.hl7.org/CodeSystem/v3-ActCode', 'code': 'AMB'}} AS class,
            {subject} AS subject, {{'start': {when}, 'end': {when}}} AS period""",
        "Encounter.001": f"""SELECT 'Encounter' AS resourceType, 'synthetic-a' || i AS id, {TAG} AS meta,
            [{{'resourceType': 'Condition', 'id': 'd1', 'subject': {subject},
               'code': {_coding("http://hl7.org/fhir/sid/icd-10", "'J18.9'", "Pneumonia")}}},
             {{'resourceType': 'Condition', 'id': 'd2', 'subject': {subject},
               'code': {_coding("http://hl7.org/fhir/sid/icd-10", "'I10'", "Hypertension")}}}] AS contained,
            'finished' AS status,
            {{'system': 'http://terminology.hl7.org/CodeSystem/v3-ActCode', 'code': 'IMP'}} AS class,
            {subject} AS subject, {{'start': {when}, 'end': {when}}} AS period,
            [{{'condition': {{'reference': '#d1'}}, 'rank': 1}},
             {{'condition': {{'reference': '#d2'}}, 'rank': 2}}] AS diagnosis""",
        "MedicationRequest": f"""SELECT 'MedicationRequest' AS resourceType, 'synthetic-m' || i AS id,
            {TAG} AS meta, 'active' AS status, 'order' AS intent,
            {_coding("https://dmd.nhs.uk", "CAST(322236009 + i % 300 AS VARCHAR)", "Medicine")}
              AS medicationCodeableConcept,
            {subject} AS subject, {when} AS authoredOn""",
        "Procedure": f"""SELECT 'Procedure' AS resourceType, 'synthetic-x' || i AS id, {TAG} AS meta,
            'completed' AS status,
            {_coding("http://fhir.nhs.uk/Id/opcs-4", "'W37.1'", "Hip replacement")} AS code,
            {subject} AS subject, {when} AS performedDateTime""",
    }
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET enable_progress_bar = false")
    for stem, select in selects.items():
        target = folder / f"{stem}.ndjson"
        con.execute(f"COPY ({select} FROM range({counts[stem]}) t(i)) TO '{target}' (FORMAT JSON)")
    con.close()
    return counts


RUNNER = """
import json, resource, sys, time
from icp.records.ingest import ingest
from icp.records.warehouse import Warehouse
started = time.perf_counter()
report = ingest([sys.argv[1]], warehouse=Warehouse(sys.argv[2]), area="NI-NOR-CA", source="bench")
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "read": report.read, "accepted": report.accepted,
                  "put_aside": report.put_aside, "timings": report.timings, "cpu": report.cpu_seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_ingest(inputs: Path, warehouse: Path) -> dict[str, Any]:
    shutil.rmtree(warehouse, ignore_errors=True)
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(inputs), str(warehouse)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


DUCKDB_TO_PARQUET = """
import glob, json, resource, sys, time
import duckdb
inputs, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
for number, path in enumerate(sorted(glob.glob(inputs + "/*.ndjson"))):
    con.execute(f"COPY (SELECT * FROM read_json('{path}', format='newline_delimited')) "
                f"TO '{out}/{number}.parquet' (FORMAT parquet)")
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / 1024}))
"""


def duckdb_to_parquet(inputs: Path, out: Path) -> dict[str, Any]:
    """The practical limit: DuckDB reading the same files straight to Parquet (no mapping, no
    checks, no provenance), in a fresh process with the same 2 threads."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-c", DUCKDB_TO_PARQUET, str(inputs), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def baseline(inputs: Path, sample_per_file: int) -> tuple[int, float]:
    """Parse a sample of the same lines with fhir.resources R4B models: (resources, seconds)."""
    from fhir.resources.R4B import get_fhir_model_class

    lines = []
    for path in sorted(inputs.glob("*.ndjson")):
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if number >= sample_per_file:
                    break
                lines.append(line)
    started = time.perf_counter()
    for line in lines:
        resource = json.loads(line)
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return len(lines), time.perf_counter() - started


def main(quick: bool = True) -> dict[str, Any]:
    console = Console()
    resources = 200_000 if quick else 10_000_000
    repeats = 3 if quick else 1
    with tempfile.TemporaryDirectory(prefix="icp-bench-ingest-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        counts = generate(folder / "export", resources)
        generated = sum(counts.values())
        size_mb = sum(p.stat().st_size for p in (folder / "export").glob("*.ndjson")) / 2**20
        took = time.perf_counter() - started
        console.print(f"Generated {generated:,} synthetic resources ({size_mb:,.0f} MB) in {took:.1f} s")
        load_before = os.getloadavg()[0]
        runs, limits = [], []
        for _ in range(repeats):  # interleaved, so both see the same load
            runs.append(run_ingest(folder / "export", folder / "warehouse"))
            limits.append(duckdb_to_parquet(folder / "export", folder / "parquet"))
        load_after = os.getloadavg()[0]
        sample, base_seconds = baseline(folder / "export", 2_000 if quick else 5_000)
    assert all(r["read"] == generated and r["put_aside"] == 0 for r in runs), runs
    seconds = statistics.median(r["seconds"] for r in runs)
    rate = generated / seconds
    base_rate = sample / base_seconds
    peak = max(r["peak_rss_mb"] for r in runs)
    # CPU seconds of the ingest process (all its threads): independent of other jobs on the machine,
    # unlike wall time. Divided over 2 cores it bounds what an idle 2-core machine could do.
    cpu = statistics.median(sum(r["cpu"].values()) for r in runs)
    limit_seconds = statistics.median(r["seconds"] for r in limits)
    limit_cpu = statistics.median(r["cpu"] for r in limits)
    result = {
        "benchmark": "ingest",
        "mode": "quick" if quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before_and_after": [round(load_before, 1), round(load_after, 1)],
        },
        "resources": generated,
        "input_mb": round(size_mb, 1),
        "runs": runs,
        "median_seconds": round(seconds, 2),
        "resources_per_second": round(rate),
        "peak_rss_mb": round(peak),
        "cpu_seconds": round(cpu, 1),
        "resources_per_cpu_second": round(generated / cpu),
        "baseline": {
            "library": "fhir.resources R4B",
            "sample": sample,
            "resources_per_second": round(base_rate),
        },
        "ratio_to_baseline": round(rate / base_rate, 1),
        "duckdb_straight_to_parquet": {
            "runs": limits,
            "median_seconds": round(limit_seconds, 2),
            "resources_per_second": round(generated / limit_seconds),
            "median_cpu_seconds": round(limit_cpu, 1),
        },
        "share_of_duckdb_to_parquet_throughput": round(limit_seconds / seconds, 2),
        "share_of_duckdb_to_parquet_cpu": round(limit_cpu / cpu, 2),
        "targets": {"resources_per_second": 250_000, "peak_rss_mb_for_10M": 1_536},
    }
    table = Table(
        title=f"icp ingest of Bulk Data NDJSON ({result['mode']}, {generated:,} synthetic resources)"
    )
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_row("Median wall time", f"{seconds:.2f} s ({repeats} run(s))")
    table.add_row("Resources / second (icp ingest)", f"{rate:,.0f}")
    table.add_row("Resources / second (fhir.resources parse, baseline)", f"{base_rate:,.0f}")
    table.add_row("Ratio", f"{rate / base_rate:,.1f} times")
    table.add_row(
        "Resources / second (DuckDB straight to Parquet, the limit)", f"{generated / limit_seconds:,.0f}"
    )
    table.add_row(
        "icp ingest's share of that throughput (wall; CPU)",
        f"{limit_seconds / seconds:.0%}; {limit_cpu / cpu:.0%}",
    )
    table.add_row("Peak memory of the ingest process", f"{peak:,.0f} MB")
    table.add_row("CPU seconds (all threads of the ingest)", f"{cpu:,.1f} s")
    table.add_row("Resources / CPU-second", f"{generated / cpu:,.0f}")
    table.add_row(
        "Machine load average (before, after)",
        f"{load_before:.1f}, {load_after:.1f} on {os.cpu_count()} CPUs",
    )
    for step, wall in runs[0]["timings"].items():
        table.add_row(f"  step: {step}", f"{wall:.2f} s wall, {runs[0]['cpu'].get(step, 0):.2f} s CPU")
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ingest-{result['mode']}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"Written {out}")
    return result


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)

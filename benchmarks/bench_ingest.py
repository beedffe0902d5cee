"""Benchmark `icp ingest` of FHIR R4 Bulk Data NDJSON and Bundles against the practical limit.

Generates a synthetic Bulk Data export (every resource tagged as test data; the ids say synthetic)
and the same records of a quarter of its people as one transaction Bundle per person (`urn:uuid:`
fullUrls and references, as real servers send them). In one run it times, each in a fresh
subprocess (so CPU and peak memory are the work's own, from getrusage):

- `ingest` of the NDJSON export into an empty warehouse, and DuckDB reading the same files straight
  to Parquet (no mapping, no checks: the practical limit), interleaved so both see the same load;
  medians of wall time and of CPU seconds (all threads, imports excluded), and the ingest's share
  of the limit's throughput (target: at least 50%);
- `ingest` of the Bundles: resources a second (target: at least 30,000);
- a sample of the same records parsed with the `fhir.resources` R4B models, for scale.

Quick mode: ~200,000 resources (~50,000 in Bundles), three runs each, median. Full mode: 10 million
resources (about 4 GB of NDJSON), one run.

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


def generate_bundles(export: Path, folder: Path, people: int) -> int:
    """One transaction Bundle per person for the first `people` people of the export (their Patient
    and every resource about them), with `urn:uuid:` fullUrls and references; returns resources."""
    folder.mkdir(parents=True, exist_ok=True)
    by_person: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(export.glob("*.ndjson")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                resource = json.loads(line)
                if resource["resourceType"] == "Patient":
                    person = resource["id"]
                else:
                    person = resource["subject"]["reference"].split("/", 1)[1]
                    resource["subject"] = {"reference": f"urn:uuid:{person}"}
                if int(person.removeprefix("synthetic-p")) < people:
                    by_person.setdefault(person, []).append(resource)
    count = 0
    for person, resources in by_person.items():
        resources.sort(key=lambda r: r["resourceType"] != "Patient")
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": f"urn:uuid:{r['id']}",
                    "resource": r,
                    "request": {"method": "POST", "url": r["resourceType"]},
                }
                for r in resources
            ],
        }
        (folder / f"{person}.json").write_text(json.dumps(bundle), encoding="utf-8")
        count += len(resources)
    return count


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
before = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
for number, path in enumerate(sorted(glob.glob(inputs + "/*.ndjson"))):
    con.execute(f"COPY (SELECT * FROM read_json('{path}', format='newline_delimited')) "
                f"TO '{out}/{number}.parquet' (FORMAT parquet)")
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_rss_mb": usage.ru_maxrss / 1024}))
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


def _median_run(runs: list[dict[str, Any]], resources: int) -> dict[str, Any]:
    """Medians over runs of wall seconds and CPU seconds (the ingest reports CPU per step)."""
    cpu = [sum(r["cpu"].values()) if isinstance(r["cpu"], dict) else r["cpu"] for r in runs]
    seconds = statistics.median(r["seconds"] for r in runs)
    median_cpu = statistics.median(cpu)
    return {
        "runs": runs,
        "median_seconds": round(seconds, 2),
        "median_cpu_seconds": round(median_cpu, 2),
        "resources_per_second": round(resources / seconds),
        "resources_per_cpu_second": round(resources / median_cpu),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
    }


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
        in_bundles = generate_bundles(folder / "export", folder / "bundles", counts["Patient"] // 4)
        took = time.perf_counter() - started
        console.print(
            f"Generated {generated:,} synthetic resources ({size_mb:,.0f} MB of NDJSON) and "
            f"{in_bundles:,} of them in {counts['Patient'] // 4:,} Bundles in {took:.1f} s"
        )
        load_before = os.getloadavg()
        runs, limits, bundle_runs = [], [], []
        for _ in range(repeats):  # interleaved, so all see the same load
            runs.append(run_ingest(folder / "export", folder / "warehouse"))
            limits.append(duckdb_to_parquet(folder / "export", folder / "parquet"))
            bundle_runs.append(run_ingest(folder / "bundles", folder / "warehouse"))
        load_after = os.getloadavg()
        sample, base_seconds = baseline(folder / "export", 2_000 if quick else 5_000)
    assert all(r["read"] == generated and r["put_aside"] == 0 for r in runs), runs
    assert all(r["read"] == in_bundles and r["put_aside"] == 0 for r in bundle_runs), bundle_runs
    ndjson = _median_run(runs, generated)
    limit = _median_run(limits, generated)
    bundles = _median_run(bundle_runs, in_bundles)
    base_rate = sample / base_seconds
    share_wall = limit["median_seconds"] / ndjson["median_seconds"]
    share_cpu = limit["median_cpu_seconds"] / ndjson["median_cpu_seconds"]
    result = {
        "benchmark": "ingest",
        "mode": "quick" if quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1_5_15_before": [round(x, 1) for x in load_before],
            "load_average_1_5_15_after": [round(x, 1) for x in load_after],
        },
        "resources": generated,
        "input_mb": round(size_mb, 1),
        "ndjson": ndjson,
        "duckdb_straight_to_parquet": limit,
        "share_of_duckdb_to_parquet_throughput": round(share_wall, 2),
        "share_of_duckdb_to_parquet_cpu": round(share_cpu, 2),
        "bundles": {"resources": in_bundles, "files": counts["Patient"] // 4, **bundles},
        "baseline": {
            "library": "fhir.resources R4B",
            "sample": sample,
            "resources_per_second": round(base_rate),
        },
        "targets": {
            "share_of_duckdb_to_parquet": 0.5,
            "bundle_resources_per_second": 30_000,
            "peak_rss_mb_for_10M": 1_536,
        },
    }
    met = {
        "share": min(share_wall, share_cpu) >= 0.5,
        "bundles": bundles["resources_per_second"] >= 30_000,
    }
    result["met"] = met
    table = Table(
        title=f"icp ingest ({result['mode']}, {generated:,} synthetic resources, median of {repeats})"
    )
    table.add_column("Measure")
    table.add_column("Wall", justify="right")
    table.add_column("CPU (all threads)", justify="right")
    table.add_column("Resources / s (wall)", justify="right")
    table.add_row(
        "icp ingest, NDJSON",
        f"{ndjson['median_seconds']:.2f} s",
        f"{ndjson['median_cpu_seconds']:.2f} s",
        f"{ndjson['resources_per_second']:,}",
    )
    table.add_row(
        "DuckDB straight to Parquet, same files (the limit)",
        f"{limit['median_seconds']:.2f} s",
        f"{limit['median_cpu_seconds']:.2f} s",
        f"{limit['resources_per_second']:,}",
    )
    table.add_row(
        "ingest's share of the limit (target 50%)",
        f"{share_wall:.0%}",
        f"{share_cpu:.0%}",
        "met" if met["share"] else "NOT met",
    )
    table.add_row(
        f"icp ingest, {counts['Patient'] // 4:,} Bundles ({in_bundles:,} resources; target 30,000/s)",
        f"{bundles['median_seconds']:.2f} s",
        f"{bundles['median_cpu_seconds']:.2f} s",
        f"{bundles['resources_per_second']:,} ({'met' if met['bundles'] else 'NOT met'})",
    )
    table.add_row("fhir.resources R4B parse of a sample (scale)", "", "", f"{base_rate:,.0f}")
    table.add_row(
        "Peak memory (ingest NDJSON; Bundles; limit)",
        f"{ndjson['peak_rss_mb']:,}; {bundles['peak_rss_mb']:,}; {limit['peak_rss_mb']:,} MB",
        "",
        "",
    )
    table.add_row(
        "Load average 1/5/15 min (before; after)",
        " ".join(f"{x:.1f}" for x in load_before),
        " ".join(f"{x:.1f}" for x in load_after),
        f"on {os.cpu_count()} CPUs",
    )
    first = runs[0]
    for step, wall in first["timings"].items():
        table.add_row(f"  NDJSON step: {step}", f"{wall:.2f} s", f"{first['cpu'].get(step, 0):.2f} s", "")
    for step, wall in bundle_runs[0]["timings"].items():
        cpu = bundle_runs[0]["cpu"].get(step, 0)
        table.add_row(f"  Bundles step: {step}", f"{wall:.2f} s", f"{cpu:.2f} s", "")
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ingest-{result['mode']}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"Written {out}")
    return result


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)

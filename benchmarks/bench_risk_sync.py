"""Benchmark the risk sync (a run's results into the app database) on SQLite and PostgreSQL,
against the previous way (a Django model instance per person, its explanation composed in Python,
`bulk_create` 2,000 at a time), both in the same run on the same rows.

    python -m benchmarks risk_sync          # 100,000 people (one ICP), 3 runs, median
    python -m benchmarks risk_sync --quick  # 20,000 people

Each database runs in a fresh child process (SQLite: a new file; PostgreSQL: a new database, dropped
afterwards, on the server in `ICP_BENCH_DATABASE_URL`, default
`postgresql://postgres@127.0.0.1:5432`, skipped when it cannot be reached): `migrate`, the NI
reference structure, the people in one ICP's patient index (raw inserts, untimed), then the
synthetic results (every column filled, real eFI, Charlson and register keys) synced by
`icp.patients.risk_sync.sync_results`, repeatedly, and once by the previous path. Wall and CPU
seconds of each; CPU is the steadier figure on a shared machine, and the rows per CPU-second give
the national (2.05 million people) estimate. Writes benchmarks/results/risk_sync[-quick].json.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
NI_PEOPLE = 2_050_000
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432"

CHILD = r'''
import datetime as dt, json, resource, statistics, sys, time
import numpy as np, pyarrow as pa
from icp.django_setup import setup_django
setup_django()
from django.core.management import call_command
from django.db import connection, transaction
from icp.partnership.models import Area, Organisation
from icp.partnership.reference import load_structure
from icp.patients.models import PatientIndex, RiskResult, RiskRun
from icp.patients.risk_sync import sync_results
from icp.records.schema import RISK_RESULT
from icp.stratify import codelists
from icp.stratify.explain import sentence

people, repeats = int(sys.argv[1]), int(sys.argv[2])
ICP = "NI-NOR-CA"
call_command("migrate", interactive=False, verbosity=0)
load_structure()
icp = Area.objects.get(code=ICP)
practices = list(Organisation.objects.filter(icp=icp, type="gp_practice").values_list("code", "id"))
rng = np.random.default_rng(7)
ids = [f"bench-{n:08d}" for n in range(people)]
owner = rng.integers(0, len(practices), people)
PatientIndex.objects.filter(icp=icp).delete()
quote = connection.ops.quote_name
with transaction.atomic(), connection.cursor() as cursor:
    cursor.executemany(
        f"INSERT INTO {quote(PatientIndex._meta.db_table)} (patient_id, national_id, national_id_system, "
        "given_name, family_name, sex, practice_id, icp_id, registered, synthetic, source, synced_at, "
        "person_id) VALUES (%s, '', '', '', '', 'female', %s, %s, %s, %s, 'bench', %s, '')",
        [(pid, practices[o][1], icp.pk, True, True, dt.datetime.now(dt.UTC)) for pid, o in zip(ids, owner)],
    )

def lists(keys, mean):
    counts = rng.poisson(mean, people)
    flat = np.asarray(keys, dtype=object)[rng.integers(0, len(keys), int(counts.sum()))]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat.tolist(), pa.string()))

efi_keys = [d.key for d in codelists.efi_deficits()]
charlson_keys = [c.key for c in codelists.charlson_categories()]
registers = list(codelists.registers())
risk = rng.beta(1, 12, people)
rank = (-risk).argsort().argsort() + 1
tier = np.select([rank <= people * 0.005, rank <= people * 0.05, rank <= people * 0.2],
                 ["very_high", "high", "moderate"], "low")
columns = {
    "patient_id": pa.array(ids),
    "practice_code": pa.array([practices[o][0] for o in owner]),
    "index_date": pa.array([dt.date(2026, 3, 31)] * people, pa.date32()),
    "model_version": pa.array(["ea-bench"] * people),
    "age": pa.array(rng.integers(0, 100, people), pa.int32()),
    "sex": pa.array(np.where(rng.random(people) < 0.5, "female", "male")),
    "deprivation_quintile": pa.array(rng.integers(1, 6, people), pa.int8()),
    "planning_opt_out": pa.array(np.zeros(people, bool)),
    "efi_score": pa.array(rng.random(people) * 0.5),
    "efi_deficits": pa.array(rng.integers(0, 18, people), pa.int32()),
    "efi_category": pa.array(rng.choice(["fit", "mild", "moderate", "severe"], people)),
    "efi_in_range": pa.array(rng.random(people) < 0.3),
    "efi_deficit_list": lists(efi_keys, 2.0),
    "hfrs_score": pa.array(rng.random(people) * 10),
    "hfrs_category": pa.array(rng.choice(["low", "intermediate", "high"], people)),
    "hfrs_in_range": pa.array(rng.random(people) < 0.3),
    "hfrs_codes": lists(["F00", "G81", "R26", "W19", "N39"], 0.3),
    "charlson_score": pa.array(rng.integers(0, 6, people), pa.int32()),
    "charlson_quan2011": pa.array(rng.integers(0, 6, people), pa.int32()),
    "charlson_age_points": pa.array(rng.integers(0, 5, people), pa.int32()),
    "charlson_categories": lists(charlson_keys, 0.5),
    "registers": lists(registers, 0.8),
    "medicines_12m": pa.array(rng.integers(0, 12, people), pa.int32()),
    "polypharmacy_review": pa.array(rng.random(people) < 0.1),
    "housebound": pa.array(rng.random(people) < 0.05),
    "carer": pa.array(rng.random(people) < 0.05),
    "cared_for": pa.array(rng.random(people) < 0.05),
    "lives_alone": pa.array(
        np.where(rng.random(people) < 0.5, None, rng.random(people) < 0.2).tolist(), pa.bool_()
    ),
    "falls_12m": pa.array(rng.random(people) < 0.05),
    "emergency_admissions_12m": pa.array(rng.poisson(0.1, people), pa.int32()),
    "ae_attendances_12m": pa.array(rng.poisson(0.2, people), pa.int32()),
    "model_risk": pa.array(risk),
    "risk_rank": pa.array(rank, pa.int64()),
    "tier": pa.array(tier),
    "risk_factors": pa.array([["emergency_admissions_12m=+0.80", "age=+0.30"] if t in ("very_high", "high")
                              else [] for t in tier], pa.list_(pa.string())),
    "icp": pa.array([ICP] * people),
    "source": pa.array(["icp stratify"] * people),
    "batch_id": pa.array(["20260331T000000-stratify-bench"] * people),
    "synthetic": pa.array(np.ones(people, bool)),
}
table = pa.table(columns).cast(RISK_RESULT)

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

def timed(work):
    started, began = time.perf_counter(), cpu()
    work()
    return time.perf_counter() - started, cpu() - began

def previous_sync():
    """The sync as it was: a model instance per person, its explanation composed, bulk_create."""
    patients = dict(PatientIndex.objects.filter(icp=icp).values_list("patient_id", "pk"))
    practice_pks = dict(Organisation.objects.filter(type="gp_practice").values_list("code", "pk"))
    fields = {f.name for f in RiskResult._meta.concrete_fields}
    # The run's batch, index date and model are held by its RiskRun, which every row names (ADR 0210).
    run, _created = RiskRun.objects.get_or_create(
        run_id="20260331T000000-stratify-bench", icp=icp,
        defaults={"index_date": dt.date(2026, 3, 31), "model_version": "ea-bench", "people": people},
    )
    rows = []
    for row in table.to_pylist():
        values = {k: v for k, v in row.items() if k in fields and k not in ("icp", "source", "synced_at")}
        values.update(run=run, sex=row["sex"] or "")
        registers = list(row["registers"] or [])
        values["registers_text"] = "," + ",".join(registers) + "," if registers else ""
        result = RiskResult(**values, patient_id=patients[row["patient_id"]], icp=icp,
                            practice_id=practice_pks.get(row["practice_code"]))
        sentence(row)  # the explanation the previous path composed and stored for everyone
        rows.append(result)
    with transaction.atomic():
        RiskResult.objects.filter(icp=icp).delete()
        RiskResult.objects.bulk_create(rows, batch_size=2000)

bulk = [timed(lambda: sync_results(icp, table)) for _ in range(repeats)]
assert RiskResult.objects.filter(icp=icp).count() == people
previous = timed(previous_sync)
assert RiskResult.objects.filter(icp=icp).count() == people
print(json.dumps({
    "vendor": connection.vendor,
    "people": people,
    "bulk_wall": [w for w, _c in bulk], "bulk_cpu": [c for _w, c in bulk],
    "previous_wall": previous[0], "previous_cpu": previous[1],
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
'''


def _child(database_url: str, people: int, repeats: int, data_dir: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ICP_DATA_DIR": data_dir,
        "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), *sys.path]),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(people), str(repeats)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {database_url.split(':')[0]} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _postgres(server: str, statement: str) -> bool:
    """Run one statement on the server's maintenance database; False when it cannot be reached."""
    try:
        import psycopg

        with psycopg.connect(f"{server}/postgres", connect_timeout=3, autocommit=True) as con:
            con.execute(statement)
    except Exception:  # any failure means "not here": the benchmark says so and goes on
        return False
    return True


def main(quick: bool) -> dict[str, Any]:
    console = Console()
    people, repeats = (20_000, 3) if quick else (100_000, 3)
    server = os.environ.get("ICP_BENCH_DATABASE_URL", DEFAULT_POSTGRES).rstrip("/")
    database = f"icp_bench_risk_sync_{secrets.token_hex(4)}"
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-risk-sync-") as folder:
        results.append(_child(f"sqlite:///{folder}/bench.sqlite3", people, repeats, folder))
        if _postgres(server, f"CREATE DATABASE {database}"):
            try:
                results.append(_child(f"{server}/{database}", people, repeats, folder))
            finally:
                _postgres(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        else:
            console.print(f"[yellow]PostgreSQL at {server} not reachable: measured SQLite only.[/yellow]")
    load_after = os.getloadavg()
    table = Table(title=f"Risk sync, {people:,} people per run (bulk: median of {repeats})")
    for heading in ("Database", "Bulk wall s", "Bulk CPU s", "Previous wall s", "Previous CPU s",
                    "CPU ratio", "NI estimate (CPU s)"):  # fmt: skip
        table.add_column(heading, justify="left" if heading == "Database" else "right")
    report: dict[str, Any] = {
        "benchmark": "risk_sync",
        "mode": "quick" if quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 1) for x in load_before],
            "load_average_after": [round(x, 1) for x in load_after],
        },
        "databases": {},
    }
    for result in results:
        wall, cpu = statistics.median(result["bulk_wall"]), statistics.median(result["bulk_cpu"])
        ratio = result["previous_cpu"] / cpu
        ni_cpu = cpu / people * NI_PEOPLE
        report["databases"][result["vendor"]] = {
            **result,
            "bulk_wall_median": round(wall, 2),
            "bulk_cpu_median": round(cpu, 2),
            "previous_over_bulk_cpu": round(ratio, 1),
            "ni_estimate_cpu_seconds": round(ni_cpu, 1),
            "ni_estimate_previous_cpu_seconds": round(result["previous_cpu"] / people * NI_PEOPLE, 1),
        }
        table.add_row(
            result["vendor"],
            f"{wall:.2f}",
            f"{cpu:.2f}",
            f"{result['previous_wall']:.2f}",
            f"{result['previous_cpu']:.2f}",
            f"{ratio:.1f}x",
            f"{ni_cpu:.0f} (previous {result['previous_cpu'] / people * NI_PEOPLE:.0f})",
        )
    console.print(table)
    console.print(
        f"Load average before {report['machine']['load_average_before']}, after "
        f"{report['machine']['load_average_after']} on {os.cpu_count()} CPUs. The database server's own "
        "CPU (PostgreSQL) is not in the child's CPU seconds; its wall time includes it."
    )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("risk_sync-quick.json" if quick else "risk_sync.json")
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    console.print(f"Wrote {out}")
    return report


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

"""Benchmark the shared care record's two hot paths: the access decision and one person's section read.

1. A record page's decisions: `decide_many` over the 8 data categories, each audited (one chained
   audit row per category), against the same evaluation without the audit (`evaluate_many`) as the
   baseline: median milliseconds per page, and what the audit costs.
2. One person's observations from the warehouse: `record.read_section` (DuckDB over the ICP's Parquet
   files, filtered to one `patient_id`) against a baseline that reads the ICP's partition with
   pyarrow and filters in memory: median milliseconds per read, and the ratio.

Runs on a throwaway SQLite app database and warehouse in a temporary folder; all data synthetic.
Quick mode: 20,000 people with 30 observations each (600,000 rows), 60 pages. Full: 200,000 people
(6 million rows), 300 pages.

    python -m benchmarks sharing --quick
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
ICP = "NI-NOR-CA"


def _setup_django(folder: Path) -> None:
    os.environ["ICP_DATA_DIR"] = str(folder)
    os.environ.setdefault("ICP_TESTING", "1")  # a throwaway key; this database is deleted afterwards
    from icp.django_setup import setup_django

    setup_django()
    from django.core.management import call_command

    from icp.partnership.reference import load_structure

    call_command("migrate", interactive=False, verbosity=0)
    load_structure()


def _warehouse(people: int, per_person: int) -> Any:
    """Write a synthetic observation table for `people` people of the ICP, vectorised."""
    from icp.records.warehouse import Warehouse

    rows = people * per_person
    index = np.arange(rows)
    person = index // per_person
    table = pa.table(
        {
            "observation_id": pa.array(np.char.add("synthetic-o", index.astype(str))),
            "patient_id": pa.array(np.char.add("synthetic-p", person.astype(str))),
            "code_system": pa.array(np.full(rows, "snomed")),
            "code": pa.array(np.full(rows, "1000731000000107")),
            "display": pa.array(np.full(rows, "HbA1c (synthetic)")),
            "effective_date": pa.array(
                (np.datetime64("2015-01-01") + (index % 3000).astype("timedelta64[D]")).astype(
                    "datetime64[D]"
                )
            ),
            "value_number": pa.array((40 + index % 40).astype(float)),
            "value_unit": pa.array(np.full(rows, "mmol/mol")),
            "icp": pa.array(np.full(rows, ICP)),
            "source": pa.array(np.full(rows, "benchmark (synthetic)")),
            "batch_id": pa.array(np.full(rows, "bench")),
            "synthetic": pa.array(np.ones(rows, dtype=bool)),
        }
    )
    store = Warehouse()
    with store.batch(kind="bench", source="sharing benchmark") as batch:
        for start in range(0, rows, 500_000):
            batch.write("observation", table.slice(start, 500_000))
    return store


def _world(sample: list[str]) -> tuple[Any, list[Any]]:
    from icp.care.models import PatientIndex
    from icp.partnership.models import Area, User
    from icp.partnership.roles import UserRole
    from icp.sharing import actions
    from icp.sharing.vocabulary import DataCategory, LegalBasis, Purpose

    icp = Area.objects.get(code=ICP)
    practice = icp.practices.order_by("code").first()
    assert practice is not None
    governor = User.objects.create_user(
        username="bench-ig", role=UserRole.IG_LEAD, organisation=practice, home_area=icp
    )
    gp = User.objects.create_user(username="bench-gp", role=UserRole.GP, organisation=practice, home_area=icp)
    agreement = actions.create_agreement(
        icp=icp,
        title="Benchmark (synthetic)",
        parties=list(icp.practices.order_by("code")[:2]),
        purposes=[Purpose.DIRECT_CARE],
        categories=list(DataCategory.values),
        legal_basis=LegalBasis.DIRECT_CARE,
        start_date=date(2025, 4, 1),
        by=governor,
    )
    actions.sign_agreement(agreement=agreement, by=governor)
    patients = PatientIndex.objects.bulk_create(
        PatientIndex(patient_id=pid, family_name="Synthetic", icp=icp, practice=practice, synthetic=True)
        for pid in sample
    )
    return gp, patients


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def main(quick: bool = True) -> dict[str, Any]:
    console = Console()
    people, per_person, pages = (20_000, 30, 60) if quick else (200_000, 30, 300)
    with tempfile.TemporaryDirectory(prefix="icp-bench-sharing-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        _setup_django(folder)
        store = _warehouse(people, per_person)
        took = time.perf_counter() - started
        console.print(f"Set up the app database and {people * per_person:,} observations in {took:.1f} s")
        from icp.sharing.policy import decide_many, evaluate_many
        from icp.sharing.record import read_section
        from icp.sharing.vocabulary import DataCategory, Purpose

        rng = np.random.default_rng(7)
        sample = [f"synthetic-p{i}" for i in rng.choice(people, size=pages, replace=False)]
        gp, patients = _world(sample)
        categories = list(DataCategory.values)
        audited, unaudited, reads, baseline = [], [], [], []
        for patient in patients:
            t0 = time.perf_counter()
            decisions = decide_many(gp, patient, Purpose.DIRECT_CARE, categories)
            t1 = time.perf_counter()
            evaluate_many(gp, patient, Purpose.DIRECT_CARE, categories)
            t2 = time.perf_counter()
            rows = read_section(
                decisions[DataCategory.OBSERVATIONS], patient, DataCategory.OBSERVATIONS, limit=10_000
            )
            t3 = time.perf_counter()
            files = store.files("observation", [ICP])
            whole = pa.concat_tables(pq.read_table(f) for f in files)
            mine = whole.filter(pc.equal(whole.column("patient_id"), patient.patient_id))
            t4 = time.perf_counter()
            assert len(rows) == mine.num_rows == per_person and all(d.allowed for d in decisions.values())
            audited.append(t1 - t0)
            unaudited.append(t2 - t1)
            reads.append(t3 - t2)
            baseline.append(t4 - t3)
        from icp.audit.verify import verify

        assert verify().intact, "the audit chain must verify after the run"
    result = {
        "benchmark": "sharing",
        "mode": "quick" if quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": round(os.getloadavg()[0], 1),
        },
        "people": people,
        "observations": people * per_person,
        "pages": pages,
        "decide_page_ms_median": _median_ms(audited),
        "evaluate_page_ms_median_baseline": _median_ms(unaudited),
        "audit_cost_ratio": round(statistics.median(audited) / statistics.median(unaudited), 1),
        "read_section_ms_median": _median_ms(reads),
        "read_partition_and_filter_ms_median_baseline": _median_ms(baseline),
        "read_speedup_over_baseline": round(statistics.median(baseline) / statistics.median(reads), 1),
    }
    table = Table(title=f"Shared care record ({result['mode']}: {people:,} synthetic people, {pages} pages)")
    table.add_column("Measure")
    table.add_column("Median", justify="right")
    table.add_row(
        "Record page decisions, 8 categories, audited (decide_many)", f"{result['decide_page_ms_median']} ms"
    )
    table.add_row(
        "Same decisions without audit (baseline)", f"{result['evaluate_page_ms_median_baseline']} ms"
    )
    table.add_row("Audit cost", f"{result['audit_cost_ratio']} times")
    table.add_row("One person's observations: DuckDB read_section", f"{result['read_section_ms_median']} ms")
    table.add_row(
        "Baseline: read the ICP partition with pyarrow, filter",
        f"{result['read_partition_and_filter_ms_median_baseline']} ms",
    )
    table.add_row("read_section speed-up over baseline", f"{result['read_speedup_over_baseline']} times")
    console.print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"sharing-{result['mode']}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    console.print(f"Wrote {out}")
    return result


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)

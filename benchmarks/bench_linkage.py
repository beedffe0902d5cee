"""Benchmark record linkage: precision and recall at the default thresholds, against numbers alone.

The set is `icp.records.linkage.synthetic.linkage_set`: one ICP's synthetic people (icp synth's
cohort, names and H&C numbers) as a GP practice (everyone), a trust (60%), a council (25%) and a
pharmacy (45%) send them, the copies carrying missing numbers, name typos, swapped names, wrong
dates of birth (day and month transposed, a digit wrong), moved postcodes and unrecorded sex, at
the rates in `synthetic.ERRORS`; the truth is known. Full mode: 20,000 people (about 46,000
records) for each of three seeds; quick mode: 2,000 people, one seed.

Measured, over pairs of records (`icp.records.linkage.evaluate`): precision and recall of the
persons `link` makes at the default thresholds (pairs waiting for review count as not linked),
the pairs left for review, and the time. The baseline, on the same records in the same run, is
linkage by a valid national number alone. Targets: precision >= 0.99 and recall >= 0.95.

    python -m benchmarks linkage --quick      # or: python -m benchmarks.bench_linkage --quick
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from icp.records.linkage.evaluate import Accuracy, accuracy
from icp.records.linkage.exact import number_pairs
from icp.records.linkage.persons import Link, RecordFacts, Rule, cluster
from icp.records.linkage.prepare import linkage_records
from icp.records.linkage.run import Thresholds, link
from icp.records.linkage.synthetic import ERRORS, SOURCES, linkage_set

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_PRECISION = 0.99
TARGET_RECALL = 0.95


def _numbers_only(patient: object, truth: dict[str, str]) -> Accuracy:
    records = linkage_records(patient)
    # Every record its own source here: the baseline is the number rule with no other guard.
    facts = {pid: RecordFacts(f"source of {pid}", False, True) for pid in truth}
    persons = cluster(facts, [Link(left, right, Rule.NUMBER) for left, right in number_pairs(records)])
    return accuracy(persons.person_of, truth)


def _row(name: str, measured: Accuracy, extra: dict[str, object]) -> dict[str, object]:
    return {
        "method": name,
        "precision": round(measured.precision, 4),
        "recall": round(measured.recall, 4),
        "true_pairs": measured.true_pairs,
        "linked_pairs": measured.linked_pairs,
        "correct_pairs": measured.correct_pairs,
        **extra,
    }


def measure(people: int, seeds: list[int]) -> list[dict[str, object]]:
    rows = []
    for seed in seeds:
        data = linkage_set(people, seed=seed)
        started = time.perf_counter()
        baseline = _numbers_only(data.patient, data.truth)
        baseline_seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = link(data.patient, thresholds=Thresholds())
        seconds = time.perf_counter() - started
        measured = accuracy(result.persons.person_of, data.truth)
        common = {"seed": seed, "people": people, "records": data.patient.num_rows}
        rows.append(
            _row(
                "national number only (baseline)", baseline, {**common, "seconds": round(baseline_seconds, 2)}
            )
        )
        rows.append(
            _row(
                "number + Splink (default thresholds)",
                measured,
                {
                    **common,
                    "seconds": round(seconds, 2),
                    "waiting_for_review": len(result.review),
                    "links_by_rule": result.links_by_rule,
                    "thresholds": {"link": result.thresholds.link, "review": result.thresholds.review},
                },
            )
        )
    return rows


def main(quick: bool) -> None:
    console = Console()
    people, seeds = (2_000, [1]) if quick else (20_000, [1, 2, 3])
    rows = measure(people, seeds)
    table = Table(
        title=f"Record linkage, {people:,} people in four sources (seeds {', '.join(map(str, seeds))})"
    )
    for column in ("seed", "method", "records", "precision", "recall", "review", "seconds"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for row in rows:
        table.add_row(
            str(row["seed"]),
            str(row["method"]),
            f"{row['records']:,}",
            f"{row['precision']:.4f}",
            f"{row['recall']:.4f}",
            f"{row.get('waiting_for_review', '')}",
            f"{row['seconds']}",
        )
    console.print(table)
    linked = [row for row in rows if "Splink" in str(row["method"])]
    worst_precision = min(float(row["precision"]) for row in linked)  # type: ignore[arg-type]
    worst_recall = min(float(row["recall"]) for row in linked)  # type: ignore[arg-type]
    verdict = worst_precision >= TARGET_PRECISION and worst_recall >= TARGET_RECALL
    console.print(
        f"Worst over seeds: precision {worst_precision:.4f} (target ≥ {TARGET_PRECISION}), "
        f"recall {worst_recall:.4f} (target ≥ {TARGET_RECALL}): {'met' if verdict else 'NOT met'}."
    )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"linkage-{'quick' if quick else 'full'}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "linkage",
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "processor": platform.machine()},
                "sources": SOURCES,
                "errors": ERRORS,
                "targets": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL},
                "met": verdict,
                "rows": rows,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    console.print(f"Written to {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    main(parser.parse_args().quick)

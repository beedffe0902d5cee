"""What fitting the admission model on a sample costs in quality and saves in time (FIT_PEOPLE).

Builds everyone's hold-out (features at the as-of date - 1 year, outcome in the year after) once,
then fits the model on everyone and on hashed samples of about 1,000,000 and 500,000 people
(`stratify.fitting.fit_sample`, as a run samples), and scores every model on the same full hold-out:
AUROC, average precision, Brier score, and PPV and sensitivity in the top 0.5%, 2% and 5%, with
the seconds the development data and the fit took. Needs a synthetic NI (`icp synth --area NI`):

    ICP_BENCH_STRATIFY_DATA=data flock /tmp/icp-bench.lock python -m benchmarks.fit_sample

Prints a table and writes benchmarks/results/fit_sample.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
LIMITS = (None, 1_000_000, 500_000)  # None: everyone (no sample)


def main() -> None:
    folder = os.environ.get("ICP_BENCH_STRATIFY_DATA")
    if not folder:
        sys.exit("Set ICP_BENCH_STRATIFY_DATA to a data folder holding a synthetic NI (icp synth --area NI).")
    os.environ["ICP_DATA_DIR"] = folder
    from icp.django_setup import setup_django

    setup_django()
    import numpy as np

    from icp.records.engine import open_tables
    from icp.records.persons import by_person
    from icp.records.warehouse import Warehouse
    from icp.stratify import features, fitting, metrics, model
    from icp.stratify import run as runs
    from icp.stratify.events import years_before

    warehouse = Warehouse()
    areas = runs.areas_in(warehouse)
    groups = runs.area_groups(warehouse, areas)
    as_of = runs.latest_record_date(warehouse)
    if as_of is None:
        sys.exit(f"{folder}: the warehouse holds no records")

    def tables() -> list[Any]:
        return [by_person(open_tables(warehouse, areas=group)) for group in groups]

    people = sum(fitting._people(t) for t in tables())
    holdout = fitting.training_data(tables(), years_before(as_of, 1), frozenset())
    rows = []
    for limit in LIMITS:
        started = time.perf_counter()
        sampled = [fitting.fit_sample(t, limit or people, people=people)[0] for t in tables()]
        development = fitting.training_data(sampled, years_before(as_of, 2), frozenset())
        built = time.perf_counter()
        trained = model.fit(development, features.feature_names())
        fitted = time.perf_counter()
        risk = np.asarray(trained.booster.predict(holdout.features, num_threads=2))
        scored = metrics.evaluate(holdout.outcome, risk)
        rows.append(
            {
                "fit_people_limit": limit,
                "development_people": int(development.outcome.size),
                "development_events": int(development.outcome.sum()),
                "build_seconds": round(built - started, 1),
                "fit_seconds": round(fitted - built, 1),
                **scored.as_dict(),
            }
        )
        del development, trained
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "people_in_scope": people,
        "holdout": {"people": int(holdout.outcome.size), "events": int(holdout.outcome.sum())},
        "as_of": as_of.isoformat(),
        "models": rows,
    }
    _print(result)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fit_sample.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def _print(result: dict[str, Any]) -> None:
    holdout = result["holdout"]
    table = Table(
        title=f"The model fitted on everyone and on samples, scored on the same hold-out "
        f"({holdout['people']:,} people, {holdout['events']:,} admitted)"
    )
    for label in (
        "fitted on",
        "events",
        "AUROC",
        "avg precision",
        "Brier",
        "PPV top 0.5%",
        "build s",
        "fit s",
    ):
        table.add_column(label, justify="right")
    full = result["models"][0]
    for row in result["models"]:
        top = row["top"][0]
        table.add_row(
            f"{row['development_people']:,}" + ("" if row["fit_people_limit"] else " (everyone)"),
            f"{row['development_events']:,}",
            f"{row['auroc']:.4f} ({row['auroc'] - full['auroc']:+.4f})",
            f"{row['average_precision']:.4f}",
            f"{row['brier']:.5f}",
            f"{top['ppv']:.4f}",
            f"{row['build_seconds']:.1f}",
            f"{row['fit_seconds']:.1f}",
        )
    Console(width=150).print(table)


if __name__ == "__main__":
    main()

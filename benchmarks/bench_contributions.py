"""Benchmark the top tiers' per-person contributions: TreeSHAP once per way through each tree
(`icp.stratify.contributions`, ADR 0203) against LightGBM's `pred_contrib` for every row, the same
rows and model, both in this run, and the largest difference between their answers.

    python -m benchmarks contributions          # 3 runs each, median
    python -m benchmarks contributions --quick  # smaller, 1 run

The rows are a run's: with `ICP_BENCH_STRATIFY_DATA` naming a data folder made by `icp synth --area
NI` and stratified once (so a saved model exists), the first group of ICPs' feature matrix and the
top 5% of it by the model's risk, as a run explains them; otherwise features generated with the
shapes a run's have (ages, counts, mostly-zero flags, often-missing measurements) and a model fitted
on them with the run's parameters. Writes benchmarks/results/contributions[-quick].json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
EXPLAINED_SHARE = 0.05  # the very high and high tiers


def _run_rows() -> tuple[Any, np.ndarray, str]:
    """(booster, the explained rows, where they came from) from a stratified data folder."""
    os.environ["ICP_DATA_DIR"] = os.environ["ICP_BENCH_STRATIFY_DATA"]
    from icp.django_setup import setup_django

    setup_django()
    from icp.care import stratification
    from icp.config import models_dir
    from icp.records.engine import open_tables
    from icp.records.persons import by_person
    from icp.stratify import model, results
    from icp.stratify import run as runs

    scope = stratification.scope(areas=None)
    fitted = model.latest(models_dir(), areas=scope.icps)
    if fitted is None:
        raise SystemExit(
            "no saved model in ICP_BENCH_STRATIFY_DATA: run `icp stratify --area NI` there first"
        )
    group = runs.area_groups(scope.warehouse, scope.icps)[0]
    tables = by_person(open_tables(scope.warehouse, engine="duckdb", areas=group))
    prepared = results.prepare(tables, scope.index_date, with_model=True)
    assert prepared.matrix is not None
    risk = fitted.predict(prepared.matrix)
    top = np.sort(np.argsort(-risk)[: int(EXPLAINED_SHARE * len(risk))])
    return fitted.booster, prepared.matrix[top], f"a run: the top 5% of its first group ({len(group)} ICPs)"


def _generated_rows(people: int) -> tuple[Any, np.ndarray, str]:
    import lightgbm as lgb

    from icp.stratify.model import BOOST_ROUNDS, LIGHTGBM_PARAMETERS

    rng = np.random.default_rng(20261202)
    n = people * 4
    columns = [
        rng.integers(0, 100, n),
        rng.poisson(0.2, n),
        rng.poisson(3, n),
        (rng.random(n) < 0.1),
        (rng.random(n) < 0.05),
        np.round(rng.beta(1, 8, n) * 36) / 36,
        rng.integers(1, 6, n),
        np.where(rng.random(n) < 0.4, np.nan, rng.normal(135, 18, n)),
        np.where(rng.random(n) < 0.6, np.nan, np.round(rng.normal(75, 20, n))),
        np.where(rng.random(n) < 0.5, np.nan, np.round(rng.normal(27, 5, n), 1)),
    ]
    features = np.column_stack(columns).astype(np.float32)
    logit = -4 + 0.03 * features[:, 0] + 0.9 * features[:, 1] + 0.2 * features[:, 2] + 3 * features[:, 5]
    outcome = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    booster = lgb.train(LIGHTGBM_PARAMETERS, lgb.Dataset(features, outcome), num_boost_round=BOOST_ROUNDS)
    risk = np.asarray(booster.predict(features))
    top = np.sort(np.argsort(-risk)[:people])
    return booster, features[top], f"generated, top {people:,} of {n:,}"


def _timed(work: Any, repeats: int) -> tuple[list[float], list[float], Any]:
    walls, cpus, answer = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, answer


def main(quick: bool = False) -> None:
    from icp.stratify import contributions

    console = Console()
    repeats = 1 if quick else 3
    if os.environ.get("ICP_BENCH_STRATIFY_DATA") and not quick:
        booster, rows, source = _run_rows()
    else:
        booster, rows, source = _generated_rows(5_000 if quick else 33_000)
    trees = contributions.tree_splits(booster)
    lightgbm_wall, lightgbm_cpu, theirs = _timed(
        lambda: np.asarray(booster.predict(rows, pred_contrib=True, num_threads=2)), repeats
    )
    grouped_wall, grouped_cpu, ours = _timed(
        lambda: contributions.contributions(booster, rows, trees), repeats
    )
    difference = float(np.abs(ours - theirs).max())
    ways = contributions.distinct_ways(rows, trees)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "rows": int(rows.shape[0]),
        "features": int(rows.shape[1]),
        "trees": len(trees),
        "source": source,
        "repeats": repeats,
        "lightgbm_every_row": {"wall_s": lightgbm_wall, "cpu_s": lightgbm_cpu},
        "once_per_way": {"wall_s": grouped_wall, "cpu_s": grouped_cpu},
        "median_ratio": statistics.median(lightgbm_wall) / statistics.median(grouped_wall),
        "mean_ways_per_tree": float(np.mean(ways)) if ways else None,
        "largest_difference": difference,
    }
    table = Table(title=f"Per-person contributions, {rows.shape[0]:,} rows, {len(trees)} trees ({source})")
    for column in ("way", "median wall s", "median CPU s", "vs LightGBM every row"):
        table.add_column(column, justify="right" if column != "way" else "left")
    table.add_row(
        "LightGBM pred_contrib, every row",
        f"{statistics.median(lightgbm_wall):.2f}",
        f"{statistics.median(lightgbm_cpu):.2f}",
        "1.00x",
    )
    table.add_row(
        "once per way through each tree",
        f"{statistics.median(grouped_wall):.2f}",
        f"{statistics.median(grouped_cpu):.2f}",
        f"{result['median_ratio']:.2f}x faster",
    )
    console.print(table)
    console.print(
        f"Distinct ways per tree: {result['mean_ways_per_tree']:.0f} of {rows.shape[0]:,} rows on average; "
        f"largest difference from LightGBM's answer: {difference:.1e} (must be below 1e-9)."
    )
    if difference > 1e-9:
        raise SystemExit("the grouped contributions differ from LightGBM's")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"contributions{'-quick' if quick else ''}.json"
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    console.print(f"Wrote {out}")


if __name__ == "__main__":
    main()

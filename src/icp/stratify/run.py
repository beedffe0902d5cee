"""A stratification run: every score and the model for everyone in the chosen ICPs at an index date,
tiers per ICP, and the results written to the warehouse as one batch (table `risk_result`).

The batch's `detail` records what the run used: index date, model version, code list versions,
engine, pyramid, and how many people were left out because of a planning opt-out. People who
opted out are left out before anything is computed and appear in no output.

When the admission model cannot be fitted (too few emergency admissions in the history), the run
still writes every rule-based score, ranked and tiered by tiers.RULE_BASED_ORDER; the model risk is
then empty and the run says why the model was not used (`model_not_used`).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from icp.records.engine import Engine, open_tables
from icp.records.persons import by_person
from icp.records.schema import RISK_RESULT
from icp.records.warehouse import Warehouse
from icp.stratify import codelists, comorbidity, features, frailty, model, tiers
from icp.stratify.events import Tables, years_before
from icp.stratify.execute import to_arrow
from icp.stratify.scores import rule_based_scores

Progress = Callable[[str], None]
# Explanations from the model (per-person contributions) are worked out for the top tiers, the
# people a worklist shows first; the rest are explained by their scores and flags.
EXPLAINED_TIERS = ("very_high", "high")
RISK_FACTORS_SHOWN = 3


@dataclass
class RunSummary:
    run_id: str
    index_date: dt.date
    areas: list[str]
    engine: str
    model_version: str
    people: int
    opted_out: int
    tier_counts: dict[str, dict[str, int]]
    efi_65_plus: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    model_card: dict[str, Any] = field(default_factory=dict)
    opted_out_by_icp: dict[str, int] = field(default_factory=dict)
    model_not_used: str | None = None  # why the ranking is rule-based, when it is
    uncoded_left_out: dict[str, int] = field(default_factory=dict)  # text-only entries scores skipped


def _note(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def score_table(
    tables: Tables, index_date: dt.date, *, excluded: Collection[str] = ()
) -> tuple[pa.Table, pa.Table]:
    """(rule-based scores, latest observations) as Arrow, for everyone alive at the index date.

    The scores come in patient id order. Neither engine keeps rows in any order of its own (DuckDB's
    threads and Spark's partitions each return them differently from run to run), and the model's
    row bagging depends on the order of the rows it is fitted on: ordered, the same records give the
    same feature matrix, so the same model and the same risks, on DuckDB and Spark, run after run.
    """
    scores = to_arrow(rule_based_scores(tables, index_date, excluded=excluded).order_by("patient_id"))
    observations = to_arrow(features.latest_observations(tables, index_date))
    return scores, observations


def training_data(tables: Tables, index_date: dt.date, excluded: Collection[str]) -> model.TrainingData:
    scores, observations = score_table(tables, index_date, excluded=excluded)
    matrix, _names = features.matrix(scores, observations)
    admitted = to_arrow(features.outcome(tables, index_date, features.horizon_end(index_date)))
    return model.TrainingData(matrix, features.outcome_vector(scores, admitted), index_date)


def train(
    tables: Tables,
    as_of: dt.date,
    *,
    areas: list[str],
    excluded: Collection[str] = (),
    synthetic: bool = True,
    progress: Progress | None = None,
) -> tuple[model.FittedModel, Any, Any]:
    """Fit on features at as-of - 2 years, validate on as-of - 1 year (outcomes end by as-of)."""
    _note(progress, "Building development data (as-of date - 2 years)…")
    development = training_data(tables, years_before(as_of, 2), excluded)
    _note(progress, "Building hold-out data (as-of date - 1 year)…")
    holdout = training_data(tables, years_before(as_of, 1), excluded)
    _note(progress, "Fitting LightGBM and the logistic-regression baseline…")
    return model.fit(development, holdout, features.feature_names(), areas=areas, synthetic=synthetic)


def _fit_and_save(
    root: str,
    as_of: dt.date,
    areas: list[str] | None,
    area_list: list[str],
    excluded: list[str],
    models_dir: str,
) -> str:
    """In a child process: open the warehouse afresh, fit, save; the saved model's folder."""
    tables = by_person(open_tables(Warehouse(Path(root)), areas=areas))
    fitted, _gbm, _baseline = train(tables, as_of, areas=area_list, excluded=frozenset(excluded))
    return str(fitted.save(Path(models_dir)))


@contextmanager
def fitting_apart(
    warehouse: Warehouse,
    as_of: dt.date,
    *,
    areas: list[str] | None,
    area_list: list[str],
    excluded: Collection[str],
    models_dir: Path,
) -> Iterator[Callable[[], model.FittedModel]]:
    """Start fitting and saving the model in a child process (DuckDB); yields a function that waits
    for it and loads what it saved.

    The fit builds two years of features for everyone and LightGBM's own copy of them; in its own
    process that memory is returned when it ends, and the scoring uses the model as saved, as every
    later run does. Meanwhile this process works out everything the scoring needs that does not
    depend on the model (`results(…, awaiting=…)`): the scores at the as-of date, the features and
    the lists, which the fit does not use. model.TooFewOutcomes raised in the child is raised by
    the function it yields.
    """
    context = multiprocessing.get_context("spawn")  # no fork of a process with DuckDB's threads
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        job = pool.submit(
            _fit_and_save, str(warehouse.root), as_of, areas, area_list, sorted(excluded), str(models_dir)
        )
        yield lambda: model.load(Path(job.result()))


def _list_column(table: pa.Table, columns: Sequence[str], values: Sequence[str]) -> pa.Array:
    """A list<string> column holding `values[i]` for every true `columns[i]`, in list order."""
    if not columns:
        return pa.array([[] for _ in range(table.num_rows)], pa.list_(pa.string()))
    flags = np.column_stack(
        [
            np.asarray(table.column(c).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
            for c in columns
        ]
    )
    _rows, cols = np.nonzero(flags)
    offsets = np.concatenate([[0], np.cumsum(flags.sum(axis=1))]).astype(np.int32)
    # The names taken by Arrow from the few values, not a Python string per flag that is set.
    names = pa.array(list(values), pa.string()).take(pa.array(cols))
    return pa.ListArray.from_arrays(pa.array(offsets), names)


def _hfrs_lists(tables: Tables, index_date: dt.date, patient_ids: pa.ChunkedArray) -> pa.Array:
    pairs = to_arrow(frailty.hfrs_codes(tables, index_date)).sort_by(
        [("patient_id", "ascending"), ("code3", "ascending")]
    )
    grouped = pairs.group_by("patient_id", use_threads=False).aggregate([("code3", "list")])
    aligned = grouped.take(pc.index_in(patient_ids, value_set=grouped.column("patient_id")))
    return pc.fill_null(aligned.column("code3_list"), pa.scalar([], pa.list_(pa.string()))).combine_chunks()


def _risk_factors(fitted: model.FittedModel | None, matrix: np.ndarray, chosen: np.ndarray) -> pa.Array:
    """Top positive contributions (feature=+log-odds) for the chosen rows; [] for everyone else.

    Built as one Arrow list array (offsets and the few hundred thousand texts), not a Python list
    per person: everyone outside the chosen rows gets an empty list for free.
    """
    counts = np.zeros(matrix.shape[0], dtype=np.int32)
    texts: list[str] = []
    if fitted is not None and chosen.size:
        contributions = fitted.contributions(matrix[chosen])[:, :-1]
        # Row by row as np.argsort(-row) would (the same sort per row), then the positive ones.
        top = np.argsort(-contributions, axis=1)[:, :RISK_FACTORS_SHOWN]
        values = np.take_along_axis(contributions, top, axis=1)
        shown = values > 0
        counts[chosen] = shown.sum(axis=1)
        names = fitted.feature_names
        texts = [
            f"{names[i]}=+{value:.2f}" for i, value in zip(top[shown].tolist(), values[shown], strict=True)
        ]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(texts, pa.string()))


def results(
    tables: Tables,
    index_date: dt.date,
    fitted: model.FittedModel | None,
    *,
    pyramid: tuple[tiers.Tier, ...] = tiers.DEFAULT_PYRAMID,
    excluded: Collection[str] = (),
    timings: dict[str, float] | None = None,
    awaiting: Callable[[], model.FittedModel | None] | None = None,
) -> pa.Table:
    """The risk_result rows (without batch provenance) for everyone alive at the index date.

    Without a fitted model (`fitted` None) people are ranked by tiers.RULE_BASED_ORDER and the model
    risk is empty. `awaiting`, when given (with `fitted` None), is called for the model once
    everything that does not depend on it is done: the scores, the features and the lists, worked
    out while the model is being fitted in another process (`fitting_apart`); it may give None (no
    model could be fitted), and then the ranking is rule-based.
    """
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    scores, observations = score_table(tables, index_date, excluded=excluded)
    timings["rule_based_scores"] = time.perf_counter() - started

    started = time.perf_counter()
    matrix: np.ndarray | None = None
    if fitted is not None or awaiting is not None:
        matrix, names = features.matrix(scores, observations)
    del observations
    columns = _model_free_columns(tables, index_date, scores)
    timings["features_and_lists"] = time.perf_counter() - started

    if awaiting is not None:
        started = time.perf_counter()
        fitted = awaiting()
        timings["waiting_for_model"] = time.perf_counter() - started

    started = time.perf_counter()
    risk: np.ndarray | None = None
    if fitted is None:
        priority = tiers.rule_based_priority(scores)
    else:
        assert matrix is not None
        if names != fitted.feature_names:
            raise ValueError(
                f"model {fitted.version} was trained on other features; retrain it (icp model train)"
            )
        risk = priority = fitted.predict(matrix)
    tier, rank = tiers.assign(scores.column("icp"), scores.column("patient_id"), priority, pyramid)
    explained = np.flatnonzero(np.logical_or.reduce([tier == name for name in EXPLAINED_TIERS]))
    if fitted is not None:
        assert matrix is not None
        factors = _risk_factors(fitted, matrix, explained)
    else:
        factors = _risk_factors(None, np.empty((scores.num_rows, 0)), np.empty(0, dtype=np.int64))
    timings["model"] = time.perf_counter() - started

    started = time.perf_counter()
    n = scores.num_rows
    columns.update(
        index_date=pa.repeat(pa.scalar(index_date, pa.date32()), n),
        model_version=pa.repeat(pa.scalar(_version(fitted), pa.string()), n),
        model_risk=pa.array(risk, pa.float64()) if risk is not None else pa.nulls(n, pa.float64()),
        risk_rank=pa.array(rank, pa.int64()),
        tier=pa.array(tier, pa.string()),
        risk_factors=factors,
    )
    table = pa.table({name: columns[name] for name in RISK_RESULT.names}).cast(RISK_RESULT)
    timings["assemble"] = time.perf_counter() - started
    return table


def _model_free_columns(tables: Tables, index_date: dt.date, scores: pa.Table) -> dict[str, Any]:
    """The risk_result columns that do not depend on the model: scores, flags and their lists."""
    n = scores.num_rows
    efi_keys = [d.key for d in codelists.efi_deficits()]
    charlson_keys = [c.key for c in codelists.charlson_categories()]
    register_names = list(codelists.registers())
    columns: dict[str, Any] = {
        name: scores.column(name) for name in RISK_RESULT.names if name in scores.column_names
    }
    columns.update(
        planning_opt_out=pa.array(np.zeros(n, dtype=bool)),
        efi_deficit_list=_list_column(scores, [frailty.efi_deficit_column(k) for k in efi_keys], efi_keys),
        hfrs_codes=_hfrs_lists(tables, index_date, scores.column("patient_id")),
        charlson_categories=_list_column(
            scores, [comorbidity.charlson_column(k) for k in charlson_keys], charlson_keys
        ),
        registers=_list_column(
            scores, [comorbidity.register_column(r) for r in register_names], register_names
        ),
        source=pa.repeat(pa.scalar("icp stratify", pa.string()), n),
        batch_id=pa.repeat(pa.scalar("", pa.string()), n),
    )
    return columns


def run(
    warehouse: Warehouse,
    *,
    index_date: dt.date,
    areas: list[str] | None = None,
    engine: Engine = "duckdb",
    models_dir: Path,
    pyramid: tuple[tiers.Tier, ...] = tiers.DEFAULT_PYRAMID,
    opted_out_by_icp: Mapping[str, Collection[str]] | None = None,
    retrain: bool = False,
    progress: Progress | None = None,
    con: Any = None,
) -> RunSummary:
    """Score everyone in `areas` (all ICPs in the warehouse when None) and write the run.

    `opted_out_by_icp` maps ICP code to the ids of people whose planning opt-out is in force
    (from the sharing app); they are left out of everything and counted.
    """
    timings: dict[str, float] = {}
    opted_out_by_icp = opted_out_by_icp or {}
    opted_out = frozenset().union(*opted_out_by_icp.values()) if opted_out_by_icp else frozenset()
    # One row per person: records that linkage gave one person_id count once (docs/linkage.md).
    tables = by_person(open_tables(warehouse, engine=engine, areas=areas, con=con))
    area_list = sorted(areas) if areas else areas_in(warehouse)
    fitted = None if retrain else model.latest(models_dir, areas=area_list)
    if fitted is not None and fitted.feature_names != features.feature_names():
        fitted = None
    not_used = None
    # A daemonic process (a background job's worker) may not start children: it fits in-process.
    apart = engine == "duckdb" and con is None and not multiprocessing.current_process().daemon
    if fitted is None and not apart:  # Spark's session, a connection handed in, or a job's worker
        started = time.perf_counter()
        try:
            fitted, _gbm, _baseline = train(
                tables, index_date, areas=area_list, excluded=opted_out, progress=progress
            )
            fitted.save(models_dir)
        except model.TooFewOutcomes as error:
            not_used = _not_used(error)
        timings["train"] = time.perf_counter() - started
    if fitted is not None or not_used is not None:
        _note(progress, f"Scoring everyone at {index_date:%d %B %Y} ({_version(fitted)})…")
        table = results(tables, index_date, fitted, pyramid=pyramid, excluded=opted_out, timings=timings)
    else:  # a first run: the model is fitted in a child process while this one scores everyone
        table, fitted, not_used = _score_while_fitting(
            warehouse,
            tables,
            index_date,
            areas=areas,
            area_list=area_list,
            excluded=opted_out,
            models_dir=models_dir,
            pyramid=pyramid,
            timings=timings,
            progress=progress,
        )
    _note(progress, "Writing the run to the warehouse…")
    started = time.perf_counter()
    summary = _summarise(table, index_date, area_list, engine, fitted, len(opted_out), timings)
    summary.model_not_used = not_used
    summary.uncoded_left_out = uncoded_entries(tables)
    with warehouse.batch(
        kind="stratify", source="icp stratify", inputs=[f"index_date={index_date}"]
    ) as batch:
        batch_id = batch.batch_id  # the batch sets it on every row it writes
        batch.detail.update(
            index_date=index_date.isoformat(),
            model_version=_version(fitted),
            ranking="rules" if fitted is None else "model",
            rule_based_order=[column for column, _words in tiers.RULE_BASED_ORDER]
            if fitted is None
            else None,
            model_not_used=not_used,
            uncoded_left_out=summary.uncoded_left_out,
            codelist_versions=codelists.versions(),
            engine=engine,
            pyramid=[{"tier": t.name, "share": t.share} for t in pyramid],
            planning_opt_outs_left_out=len(opted_out),
            planning_opt_outs_by_icp={icp: len(ids) for icp, ids in sorted(opted_out_by_icp.items())},
            areas=area_list,
        )
        batch.records_read = table.num_rows
        if table.num_rows:
            batch.write("risk_result", table)
    timings["write"] = time.perf_counter() - started
    summary.run_id = batch_id
    summary.timings = timings
    summary.opted_out_by_icp = {icp: len(ids) for icp, ids in opted_out_by_icp.items()}
    return summary


def _score_while_fitting(
    warehouse: Warehouse,
    tables: Tables,
    index_date: dt.date,
    *,
    areas: list[str] | None,
    area_list: list[str],
    excluded: Collection[str],
    models_dir: Path,
    pyramid: tuple[tiers.Tier, ...],
    timings: dict[str, float],
    progress: Progress | None,
) -> tuple[pa.Table, model.FittedModel | None, str | None]:
    """(results, the model fitted, why there is none) with the fit in a child process meanwhile.

    `timings["train"]` is the fit's wall time as this process saw it: from its start until the saved
    model is loaded, much of it spent scoring here.
    """
    when = f"{index_date:%d %B %Y}"
    _note(progress, f"Fitting the admission model (in a separate process); scoring everyone at {when}…")
    started = time.perf_counter()
    outcome: dict[str, Any] = {"fitted": None, "not_used": None}
    with fitting_apart(
        warehouse, index_date, areas=areas, area_list=area_list, excluded=excluded, models_dir=models_dir
    ) as arrived:

        def awaited() -> model.FittedModel | None:
            try:
                outcome["fitted"] = arrived()
            except model.TooFewOutcomes as error:
                outcome["not_used"] = _not_used(error)
            timings["train"] = time.perf_counter() - started
            _note(progress, f"Scoring everyone at {when} ({_version(outcome['fitted'])})…")
            fitted: model.FittedModel | None = outcome["fitted"]
            return fitted

        table = results(
            tables, index_date, None, pyramid=pyramid, excluded=excluded, timings=timings, awaiting=awaited
        )
    return table, outcome["fitted"], outcome["not_used"]


def _not_used(error: model.TooFewOutcomes) -> str:
    return f"no admission model: {error}; people are ranked by the rule-based scores instead"


def _version(fitted: model.FittedModel | None) -> str:
    return tiers.RULE_BASED_VERSION if fitted is None else fitted.version


def uncoded_entries(tables: Tables) -> dict[str, int]:
    """Entries with no code (text only) per table: kept for people to read, left out by every score."""
    counts = {}
    for table in ("condition", "observation", "medication", "procedure"):
        column = tables[table].code
        counts[table] = int(tables[table].filter(column.isnull()).count().to_pyarrow().as_py())
    return {table: count for table, count in counts.items() if count}


def latest_record_date(warehouse: Warehouse, areas: list[str] | None = None) -> dt.date | None:
    """The newest encounter or observation date in the warehouse (the natural index date of an extract)."""
    tables = open_tables(warehouse, areas=areas, tables=["encounter", "observation"])
    dates = [
        tables["encounter"].start_date.max().to_pyarrow().as_py(),
        tables["observation"].effective_date.max().to_pyarrow().as_py(),
    ]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def areas_in(warehouse: Warehouse) -> list[str]:
    """The ICPs the warehouse holds people for (its `patient` table's partitions), sorted."""
    areas = {Path(f).parts[-2].removeprefix("icp=") for f in warehouse.files("patient")}
    return sorted(areas)


def _summarise(
    table: pa.Table,
    index_date: dt.date,
    areas: list[str],
    engine: str,
    fitted: model.FittedModel | None,
    opted_out: int,
    timings: dict[str, float],
) -> RunSummary:
    counts: dict[str, dict[str, int]] = {}
    for row in table.group_by(["icp", "tier"]).aggregate([("patient_id", "count")]).to_pylist():
        counts.setdefault(row["icp"], {})[row["tier"]] = row["patient_id_count"]
    older = table.filter(pc.greater_equal(table.column("age"), frailty.EFI_MINIMUM_AGE))
    efi = {
        row["efi_category"]: row["patient_id_count"]
        for row in older.group_by("efi_category").aggregate([("patient_id", "count")]).to_pylist()
    }
    return RunSummary(
        run_id="",
        index_date=index_date,
        areas=areas,
        engine=engine,
        model_version=_version(fitted),
        people=table.num_rows,
        opted_out=opted_out,
        tier_counts=counts,
        efi_65_plus=efi,
        timings=timings,
        model_card=fitted.card if fitted is not None else {},
    )


def run_detail(warehouse: Warehouse, run_id: str) -> dict[str, Any]:
    """The metadata a run recorded (its batch detail), with its id."""
    batches = warehouse.batches()
    chosen = batches.filter(pc.equal(batches.column("batch_id"), run_id))
    if chosen.num_rows == 0:
        raise KeyError(f"no run {run_id!r} in the warehouse at {warehouse.root}")
    detail: dict[str, Any] = json.loads(chosen.column("detail")[0].as_py() or "{}")
    detail["run_id"] = run_id
    return detail


def latest_run(warehouse: Warehouse, icp: str) -> str | None:
    """The id of the newest stratify batch with results for `icp`."""
    runs = [
        batch_id
        for batch_id, batch in warehouse.manifest()["batches"].items()
        if batch.get("kind") == "stratify"
        and any(f.startswith(f"risk_result/icp={icp}/") for f in batch["files"])
    ]
    return max(runs) if runs else None


def run_results(warehouse: Warehouse, icp: str, run_id: str | None = None) -> pa.Table:
    """One ICP's rows of a run (the newest when `run_id` is None); empty when there is none."""
    run_id = run_id or latest_run(warehouse, icp)
    if run_id is None:
        return RISK_RESULT.empty_table()
    path = warehouse.root / "risk_result" / f"icp={icp}" / f"{run_id}.parquet"
    return pq.read_table(path, schema=RISK_RESULT)

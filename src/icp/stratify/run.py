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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from icp.records.engine import Engine, open_tables
from icp.records.persons import by_person
from icp.records.schema import RISK_RESULT
from icp.records.warehouse import BatchWriter, Warehouse
from icp.stratify import codelists, features, frailty, model, tiers
from icp.stratify.events import Tables
from icp.stratify.execute import Compiled
from icp.stratify.fitting import fitting_apart, train
from icp.stratify.results import Prepared, finish, prepare, version

Progress = Callable[[str], None]
# People are scored a group of ICPs at a time (`area_groups`): DuckDB's working set, the scores and
# the feature matrix of about this many people at once, so memory follows the group, not the nation.
GROUP_PEOPLE = 750_000
# A first run holds groups' model-free parts while the model is fitted in a child process; at this
# many people it waits for the model before scoring more (a national run of ten million).
HELD_PEOPLE = 2_500_000
# Called with each group's rows as they are written (batch id set) and the run's detail so far
# (index date, engine, code list and model versions, opt-outs): the app database sync, alongside.
Written = Callable[[pa.Table, Mapping[str, Any]], None]


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


def area_groups(warehouse: Warehouse, areas: Sequence[str], limit: int = GROUP_PEOPLE) -> list[list[str]]:
    """The ICPs in consecutive groups of about `limit` people at most (a larger ICP is a group alone).

    People are counted from the `patient` files' own row counts (Parquet metadata, nothing read).
    """
    sizes: dict[str, int] = {}
    for path in warehouse.files("patient", areas):
        area = Path(path).parts[-2].removeprefix("icp=")
        sizes[area] = sizes.get(area, 0) + pq.ParquetFile(path).metadata.num_rows
    groups: list[list[str]] = []
    size = 0
    for area in areas:
        if groups and size + sizes.get(area, 0) <= limit:
            groups[-1].append(area)
            size += sizes.get(area, 0)
        else:
            groups.append([area])
            size = sizes.get(area, 0)
    return groups


@dataclass
class _Written:
    """What the summary needs of the rows written so far, group by group (not the rows)."""

    tier_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    efi_65_plus: dict[str, int] = field(default_factory=dict)
    uncoded_left_out: dict[str, int] = field(default_factory=dict)
    people: int = 0
    on_written: Written | None = None

    def add(self, batch: BatchWriter, table: pa.Table) -> None:
        if table.num_rows:
            batch.write("risk_result", table)
            if self.on_written is not None:
                stamped = table.set_column(
                    table.schema.get_field_index("batch_id"),
                    "batch_id",
                    pa.repeat(pa.scalar(batch.batch_id, pa.string()), table.num_rows),
                )
                self.on_written(stamped, {**batch.detail, "run_id": batch.batch_id})
        self.people += table.num_rows
        for row in table.group_by(["icp", "tier"]).aggregate([("patient_id", "count")]).to_pylist():
            self.tier_counts.setdefault(row["icp"], {})[row["tier"]] = row["patient_id_count"]
        older = table.filter(pc.greater_equal(table.column("age"), frailty.EFI_MINIMUM_AGE))
        for row in older.group_by("efi_category").aggregate([("patient_id", "count")]).to_pylist():
            category = row["efi_category"]
            self.efi_65_plus[category] = self.efi_65_plus.get(category, 0) + row["patient_id_count"]

    def count_uncoded(self, tables: Tables) -> None:
        for table, count in uncoded_entries(tables).items():
            self.uncoded_left_out[table] = self.uncoded_left_out.get(table, 0) + count


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
    on_written: Written | None = None,
) -> RunSummary:
    """Score everyone in `areas` (all ICPs in the warehouse when None) and write the run.

    `opted_out_by_icp` maps ICP code to the ids of people whose planning opt-out is in force
    (from the sharing app); they are left out of everything and counted. On DuckDB people are
    scored and written a group of ICPs at a time (`area_groups`), so memory follows the largest
    group rather than the population; tiers are per ICP, so the groups give the same rows.
    """
    timings: dict[str, float] = {}
    opted_out_by_icp = opted_out_by_icp or {}
    opted_out = frozenset().union(*opted_out_by_icp.values()) if opted_out_by_icp else frozenset()
    area_list = sorted(areas) if areas else areas_in(warehouse)
    own_connections = engine == "duckdb" and con is None
    # Nobody in the warehouse: one empty group, so that a first run still hears from its fit.
    groups: list[list[str] | None] = (
        list(area_groups(warehouse, area_list, GROUP_PEOPLE)) if own_connections and area_list else [areas]
    )

    def group_tables(group: list[str] | None) -> Tables:
        # One row per person: records that linkage gave one person_id count once (docs/linkage.md).
        return by_person(open_tables(warehouse, engine=engine, areas=group, con=con))

    fitted = None if retrain else model.latest(models_dir, areas=area_list)
    if fitted is not None and fitted.feature_names != features.feature_names():
        fitted = None
    not_used = None
    # A daemonic process (a background job's worker) may not start children: it fits in-process.
    apart = own_connections and not multiprocessing.current_process().daemon
    if fitted is None and not apart:  # Spark's session, a connection handed in, or a job's worker
        started = time.perf_counter()
        try:
            fitted, _gbm, _baseline = train(
                [group_tables(group) for group in groups],
                index_date,
                areas=area_list,
                excluded=opted_out,
                progress=progress,
            )
            fitted.save(models_dir)
        except model.TooFewOutcomes as error:
            not_used = _not_used(error)
        timings["train"] = time.perf_counter() - started
    written = _Written(on_written=on_written)
    compiled = Compiled()  # the rule-based query compiled once, run for every group (ADR 0208)
    with warehouse.batch(
        kind="stratify", source="icp stratify", inputs=[f"index_date={index_date}"]
    ) as batch:
        batch.detail.update(
            index_date=index_date.isoformat(),
            codelist_versions=codelists.versions(),
            engine=engine,
            pyramid=[{"tier": t.name, "share": t.share} for t in pyramid],
            planning_opt_outs_left_out=len(opted_out),
            planning_opt_outs_by_icp={icp: len(ids) for icp, ids in sorted(opted_out_by_icp.items())},
            areas=area_list,
        )
        if fitted is not None or not_used is not None:
            batch.detail.update(_ranking(fitted, not_used))
            _note(progress, f"Scoring everyone at {index_date:%d %B %Y} ({version(fitted)})…")
            for group in groups:
                tables = group_tables(group)
                written.count_uncoded(tables)
                prepared = prepare(
                    tables,
                    index_date,
                    with_model=fitted is not None,
                    excluded=opted_out,
                    timings=timings,
                    compiled=compiled,
                )
                _write(
                    batch,
                    written,
                    finish(prepared, index_date, fitted, pyramid=pyramid, timings=timings),
                    timings,
                )
                # Let go of this group's feature matrix and scores before the next group's query,
                # not once the next group is prepared: one group's working set at a time.
                del tables, prepared
        else:  # a first run: the model is fitted in a child process while this one scores everyone
            fitted, not_used = _score_while_fitting(
                warehouse,
                groups,
                group_tables,
                index_date,
                area_list=area_list,
                excluded=opted_out,
                models_dir=models_dir,
                pyramid=pyramid,
                batch=batch,
                written=written,
                timings=timings,
                progress=progress,
                compiled=compiled,
            )
        _note(progress, "Writing the run to the warehouse…")
        started = time.perf_counter()
        batch.detail.update(uncoded_left_out=written.uncoded_left_out)
        batch.records_read = written.people
    timings["write"] = timings.get("write", 0.0) + time.perf_counter() - started
    return RunSummary(
        run_id=batch.batch_id,
        index_date=index_date,
        areas=area_list,
        engine=engine,
        model_version=version(fitted),
        people=written.people,
        opted_out=len(opted_out),
        tier_counts=written.tier_counts,
        efi_65_plus=written.efi_65_plus,
        timings=timings,
        model_card=fitted.card if fitted is not None else {},
        opted_out_by_icp={icp: len(ids) for icp, ids in opted_out_by_icp.items()},
        model_not_used=not_used,
        uncoded_left_out=written.uncoded_left_out,
    )


def _write(batch: BatchWriter, written: _Written, table: pa.Table, timings: dict[str, float]) -> None:
    started = time.perf_counter()
    written.add(batch, table)
    timings["write"] = timings.get("write", 0.0) + time.perf_counter() - started


def _score_while_fitting(
    warehouse: Warehouse,
    groups: Sequence[list[str] | None],
    group_tables: Callable[[list[str] | None], Tables],
    index_date: dt.date,
    *,
    area_list: list[str],
    excluded: Collection[str],
    models_dir: Path,
    pyramid: tuple[tiers.Tier, ...],
    batch: BatchWriter,
    written: _Written,
    timings: dict[str, float],
    progress: Progress | None,
    compiled: Compiled,
) -> tuple[model.FittedModel | None, str | None]:
    """(the model fitted, why there is none), writing every group's rows, with the fit in a child.

    Each group's model-free part (results.prepare) is worked out while the model is fitted and held
    until it is ready; once the held groups reach HELD_PEOPLE people, the run waits for the model
    first, so memory stays bounded however large the population. `timings["train"]` is the fit's
    wall time as this process saw it: from its start until the saved model is loaded.
    """
    when = f"{index_date:%d %B %Y}"
    _note(progress, f"Fitting the admission model (in a separate process); scoring everyone at {when}…")
    started = time.perf_counter()
    known = False
    fitted: model.FittedModel | None = None
    not_used: str | None = None
    held: list[Prepared] = []
    with fitting_apart(
        warehouse, index_date, groups=groups, area_list=area_list, excluded=excluded, models_dir=models_dir
    ) as fitting:
        for group in groups:
            tables = group_tables(group)
            written.count_uncoded(tables)
            prepared = prepare(
                tables, index_date, with_model=True, excluded=excluded, timings=timings, compiled=compiled
            )
            held.append(prepared)
            last = group is groups[-1]
            if not known and (fitting.done() or last or sum(p.people for p in held) >= HELD_PEOPLE):
                wait = time.perf_counter()
                try:
                    fitted = fitting.result()
                except model.TooFewOutcomes as error:
                    not_used = _not_used(error)
                known = True
                batch.detail.update(_ranking(fitted, not_used))
                timings["train"] = time.perf_counter() - started
                timings["waiting_for_model"] = time.perf_counter() - wait
                _note(progress, f"Scoring everyone at {when} ({version(fitted)})…")
            while known and held:
                table = finish(held.pop(0), index_date, fitted, pyramid=pyramid, timings=timings)
                _write(batch, written, table, timings)
    return fitted, not_used


def _ranking(fitted: model.FittedModel | None, not_used: str | None) -> dict[str, Any]:
    """The batch detail that says how people were ranked: by which model, or by the rules and why."""
    return {
        "model_version": version(fitted),
        "ranking": "rules" if fitted is None else "model",
        "rule_based_order": [column for column, _words in tiers.RULE_BASED_ORDER] if fitted is None else None,
        "model_not_used": not_used,
    }


def _not_used(error: model.TooFewOutcomes) -> str:
    return f"no admission model: {error}; people are ranked by the rule-based scores instead"


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
    return pq.read_table(results_path(warehouse, icp, run_id), schema=RISK_RESULT)


def results_path(warehouse: Warehouse, icp: str, run_id: str) -> Path:
    """The file that holds one ICP's rows of a run."""
    return warehouse.root / "risk_result" / f"icp={icp}" / f"{run_id}.parquet"

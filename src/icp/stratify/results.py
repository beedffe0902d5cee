"""The risk_result rows of one group of people: their scores, flags, lists, model risk, tier and the
model's reasons, as one Arrow table (without batch provenance).

Worked out in two steps so that a first run can do the first while the model is still being
fitted (run.py): `prepare` (everything that does not depend on the model: the rule-based scores,
the feature matrix, the lists) and `finish` (predict, tiers within each ICP, TreeSHAP reasons for
the top tiers, the table). `results` does both.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icp.records.schema import RISK_RESULT
from icp.stratify import codelists, comorbidity, features, frailty, model, tiers
from icp.stratify.events import Tables
from icp.stratify.execute import Compiled
from icp.stratify.scores import rule_based_scores

# Explanations from the model (per-person contributions) are worked out for the top tiers, the
# people a worklist shows first; the rest are explained by their scores and flags.
EXPLAINED_TIERS = ("very_high", "high")
RISK_FACTORS_SHOWN = 3


def score_table(
    tables: Tables, index_date: dt.date, *, excluded: Collection[str] = (), compiled: Compiled | None = None
) -> tuple[pa.Table, pa.Table]:
    """(rule-based scores, latest observations) as Arrow, for everyone alive at the index date.

    The scores come in patient id order. Neither engine keeps rows in any order of its own (DuckDB's
    threads and Spark's partitions each return them differently from run to run), and the model's
    row bagging depends on the order of the rows it is fitted on: ordered, the same records give the
    same feature matrix, so the same model and the same risks, on DuckDB and Spark, run after run.
    `compiled`: the run's queries, compiled once for all its groups (a fresh one compiles them now).
    """
    compiled = compiled if compiled is not None else Compiled()
    left_out = frozenset(excluded)
    scores = compiled.to_arrow(
        ("rule_based_scores", index_date, left_out),
        tables,
        lambda: rule_based_scores(tables, index_date, excluded=left_out).order_by("patient_id"),
    )
    observations = compiled.to_arrow(
        ("latest_observations", index_date), tables, lambda: features.latest_observations(tables, index_date)
    )
    return scores, observations


@dataclass
class Prepared:
    """What a group's rows need that does not depend on the model."""

    scores: pa.Table
    matrix: np.ndarray | None  # None when no model will be used
    feature_names: list[str]
    columns: dict[str, Any]  # the model-free risk_result columns

    @property
    def people(self) -> int:
        return int(self.scores.num_rows)


def prepare(
    tables: Tables,
    index_date: dt.date,
    *,
    with_model: bool,
    excluded: Collection[str] = (),
    timings: dict[str, float] | None = None,
    compiled: Compiled | None = None,
) -> Prepared:
    """The scores, the feature matrix (when a model may be used) and the lists of everyone alive."""
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    scores, observations = score_table(tables, index_date, excluded=excluded, compiled=compiled)
    _add(timings, "rule_based_scores", started)
    started = time.perf_counter()
    matrix, names = features.matrix(scores, observations) if with_model else (None, [])
    del observations
    columns = _model_free_columns(scores)
    _add(timings, "features_and_lists", started)
    # Held until the model is ready: only what `finish` reads stays (not each deficit's column).
    kept = dict.fromkeys(["patient_id", "icp", *(column for column, _words in tiers.RULE_BASED_ORDER)])
    return Prepared(scores.select(list(kept)), matrix, names, columns)


def finish(
    prepared: Prepared,
    index_date: dt.date,
    fitted: model.FittedModel | None,
    *,
    pyramid: tuple[tiers.Tier, ...] = tiers.DEFAULT_PYRAMID,
    timings: dict[str, float] | None = None,
) -> pa.Table:
    """The group's risk_result rows: ranked by the model, or by tiers.RULE_BASED_ORDER without one."""
    timings = timings if timings is not None else {}
    scores, matrix = prepared.scores, prepared.matrix
    started = time.perf_counter()
    risk: np.ndarray | None = None
    if fitted is None:
        priority = tiers.rule_based_priority(scores)
    else:
        if matrix is None:
            raise ValueError("the group was prepared without its feature matrix; no model can rank it")
        if prepared.feature_names != fitted.feature_names:
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
    _add(timings, "model", started)

    started = time.perf_counter()
    n = scores.num_rows
    columns = dict(prepared.columns)
    columns.update(
        index_date=pa.repeat(pa.scalar(index_date, pa.date32()), n),
        model_version=pa.repeat(pa.scalar(version(fitted), pa.string()), n),
        model_risk=pa.array(risk, pa.float64()) if risk is not None else pa.nulls(n, pa.float64()),
        risk_rank=pa.array(rank, pa.int64()),
        tier=pa.array(tier, pa.string()),
        risk_factors=factors,
    )
    table = pa.table({name: columns[name] for name in RISK_RESULT.names}).cast(RISK_RESULT)
    _add(timings, "assemble", started)
    return table


def results(
    tables: Tables,
    index_date: dt.date,
    fitted: model.FittedModel | None,
    *,
    pyramid: tuple[tiers.Tier, ...] = tiers.DEFAULT_PYRAMID,
    excluded: Collection[str] = (),
    timings: dict[str, float] | None = None,
) -> pa.Table:
    """The risk_result rows (without batch provenance) for everyone alive at the index date.

    Without a fitted model (`fitted` None) people are ranked by tiers.RULE_BASED_ORDER and the model
    risk is empty.
    """
    prepared = prepare(tables, index_date, with_model=fitted is not None, excluded=excluded, timings=timings)
    return finish(prepared, index_date, fitted, pyramid=pyramid, timings=timings)


def version(fitted: model.FittedModel | None) -> str:
    """The model version a row records: the fitted model's, or the rule-based ordering's."""
    return tiers.RULE_BASED_VERSION if fitted is None else fitted.version


def _add(timings: dict[str, float], stage: str, started: float) -> None:
    """Add the time since `started` to a stage (a run in groups adds every group's)."""
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def _list_column(table: pa.Table, columns: Sequence[str], values: Sequence[str]) -> pa.Array:
    """A list<string> column holding `values[i]` for every true `columns[i]`, in list order."""
    # Column by column, the rows where each is true (few: most people have few flags set), then
    # ordered by row, stable so that a row's values keep list order; not a matrix of rows by columns.
    rows = [np.flatnonzero(_true(table.column(c))) for c in columns]
    found = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    which = np.repeat(np.arange(len(columns)), [len(r) for r in rows])
    order = np.argsort(found, kind="stable")
    counts = np.bincount(found, minlength=table.num_rows)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    # The names taken by Arrow from the few values, not a Python string per flag that is set.
    names = pa.array(list(values), pa.string()).take(pa.array(which[order]))
    return pa.ListArray.from_arrays(pa.array(offsets), names)


def _empty_for_null(column: pa.ChunkedArray | pa.Array) -> pa.ListArray:
    """A list column with an empty list where it is null (most people have no HFRS code): built
    from the lengths and the values, which is much cheaper than fill_null with an empty list."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    lengths = pc.fill_null(pc.list_value_length(column), 0).to_numpy(zero_copy_only=False)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pc.list_flatten(column))


def _true(column: pa.ChunkedArray) -> np.ndarray:
    """A boolean column as numpy, null as false (filled only when there are nulls: the scores' query
    fills its own, and filling a column with none still copies it)."""
    filled = column.fill_null(False) if column.null_count else column
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


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


def _model_free_columns(scores: pa.Table) -> dict[str, Any]:
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
        # Worked out by the scores' query with the HFRS itself (frailty.hfrs), not by a query of its own.
        hfrs_codes=_empty_for_null(scores.column("hfrs_codes")),
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

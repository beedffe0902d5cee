"""Fitting the emergency-admission model for a run: the development and hold-out data, the fit, and
a first run's fit in a child process while the parent scores (ADR 0198).

Development data are the features at as-of - 2 years with the outcome in the year after; the
hold-out, the same at as-of - 1 year (outcomes end by the as-of date). model.py fits and validates.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icp.records.engine import open_tables
from icp.records.persons import by_person
from icp.records.warehouse import Warehouse
from icp.stratify import features, model
from icp.stratify.events import Tables, years_before
from icp.stratify.execute import Compiled
from icp.stratify.results import score_table

Progress = Callable[[str], None]
# The model is fitted on at most about this many people. Two years of features for everyone and
# LightGBM's copy of them grow with the population (ten million people would need over 7 GB), and
# a gradient-boosted model's fit is settled long before that: above it, people are sampled by a
# hash of their id, the same people at both dates (docs/risk-stratification.md, "Ten million").
# On all of NI (two million people) a model fitted on a million of them scores the whole hold-out
# with an AUROC 0.0002 below one fitted on everyone, and a first run's fit takes half the time
# (`benchmarks/fit_sample.py`, ADR 0206).
FIT_PEOPLE = 1_000_000
SAMPLE_BUCKETS = 10_000


def training_data(
    groups: Tables | Sequence[Tables],
    index_date: dt.date,
    excluded: Collection[str],
    compiled: Compiled | None = None,
) -> model.TrainingData:
    """Everyone's features at `index_date` and whether they had an emergency admission in the year after.

    Worked out a group of ICPs at a time (each `Tables` one group, as a run scores them), so the
    engine's working set and the scores follow the largest group, then put in patient id order, the
    order one query over everyone gives (score_table): the same rows, so the same model. `compiled`:
    the queries compiled once for every group (execute.Compiled).
    """
    parts = _as_groups(groups)
    compiled = compiled if compiled is not None else Compiled()
    end = features.horizon_end(index_date)
    ids: list[pa.ChunkedArray] = []
    matrices: list[np.ndarray] = []
    outcomes: list[np.ndarray] = []
    for tables in parts:
        scores, observations = score_table(tables, index_date, excluded=excluded, compiled=compiled)
        matrix, _names = features.matrix(scores, observations)
        del observations
        admitted = compiled.to_arrow(
            ("outcome", index_date, end),
            tables,
            functools.partial(features.outcome, tables, index_date, end),
        )
        ids.append(scores.column("patient_id"))
        matrices.append(matrix)
        outcomes.append(features.outcome_vector(scores, admitted))
        del scores
    if len(matrices) == 1:
        return model.TrainingData(matrices[0], outcomes[0], index_date)
    # Strings compared byte by byte, as the engines' ORDER BY does; ids are unique (one row a person).
    order = pc.sort_indices(pa.chunked_array([chunk for part in ids for chunk in part.chunks], ids[0].type))
    rows = order.to_numpy()
    matrix = np.concatenate(matrices)
    matrices.clear()
    return model.TrainingData(matrix[rows], np.concatenate(outcomes)[rows], index_date)


def train(
    groups: Tables | Sequence[Tables],
    as_of: dt.date,
    *,
    areas: list[str],
    excluded: Collection[str] = (),
    synthetic: bool = True,
    progress: Progress | None = None,
) -> tuple[model.FittedModel, Any, Any]:
    """Fit on features at as-of - 2 years, validate on as-of - 1 year (outcomes end by as-of).

    `groups`: the tables of everyone in scope, or of each group of ICPs (`training_data`). More than
    FIT_PEOPLE people in scope: fitted and validated on a sample of them (`fit_sample`), recorded in
    the model card.
    """
    parts = _as_groups(groups)
    people = sum(_people(tables) for tables in parts)
    sampled = [fit_sample(tables, people=people) for tables in parts]
    parts = [tables for tables, _sample in sampled]
    sample = sampled[0][1] if sampled else {"people_in_scope": 0, "sampled": False}
    if progress is not None:
        progress("Building development data (as-of date - 2 years)…")
    compiled = Compiled()  # each date's queries compiled once for all the groups
    development = training_data(parts, years_before(as_of, 2), excluded, compiled)
    if progress is not None:
        progress("Fitting LightGBM and the logistic-regression baseline…")
    trained = model.fit(development, features.feature_names())
    # Freed before the hold-out is built: a first run's fit holds one year's features at a time.
    del development
    if progress is not None:
        progress("Building hold-out data (as-of date - 1 year)…")
    holdout = training_data(parts, years_before(as_of, 1), excluded, compiled)
    fitted, gbm, baseline = model.validate(trained, holdout, areas=areas, synthetic=synthetic)
    fitted.card["fit_sample"] = sample
    return fitted, gbm, baseline


def _as_groups(groups: Tables | Sequence[Tables]) -> list[Tables]:
    """One group's tables (a mapping of names to tables), or several groups', as a list of groups."""
    return [groups] if isinstance(groups, Mapping) else list(groups)


def _people(tables: Tables) -> int:
    return int(tables["patient"].count().to_pyarrow().as_py())


def fit_sample(
    tables: Tables, limit: int = FIT_PEOPLE, *, people: int | None = None
) -> tuple[Tables, dict[str, Any]]:
    """The tables limited to a sample of about `limit` people when there are more; what was done.

    A person is in the sample when a hash of their id falls in the first share of SAMPLE_BUCKETS
    buckets: the same people in every table and at both dates, without a list of ids. The hash is
    the engine's own (DuckDB and Spark choose different people; below the limit nobody is left out).
    `people`: how many are in scope when `tables` is one group of them (default: the tables' own).
    """
    people = _people(tables) if people is None else people
    if people <= limit:
        return tables, {"people_in_scope": people, "sampled": False}
    kept = max(1, SAMPLE_BUCKETS * limit // people)

    def chosen(table: ir.Table) -> ir.Table:
        bucket = (table.patient_id.hash() % SAMPLE_BUCKETS).abs()
        return table.filter(bucket < kept)

    sampled = {
        name: chosen(table) if "patient_id" in table.columns else table for name, table in tables.items()
    }
    return sampled, {
        "people_in_scope": people,
        "sampled": True,
        "share": kept / SAMPLE_BUCKETS,
        "rule": f"hash(patient_id) mod {SAMPLE_BUCKETS} < {kept}",
    }


def _fit_and_save(
    root: str,
    as_of: dt.date,
    groups: list[list[str] | None],
    area_list: list[str],
    excluded: list[str],
    models_dir: str,
) -> str:
    """In a child process: open the warehouse afresh, fit a group of ICPs at a time, save; the folder."""
    warehouse = Warehouse(Path(root))
    tables = [by_person(open_tables(warehouse, areas=group)) for group in groups]
    fitted, _gbm, _baseline = train(tables, as_of, areas=area_list, excluded=frozenset(excluded))
    return str(fitted.save(Path(models_dir)))


class Fitting:
    """A model being fitted in a child process: ask whether it is done, or wait for it."""

    def __init__(self, job: Future[str]) -> None:
        self._job = job

    def done(self) -> bool:
        return self._job.done()

    def result(self) -> model.FittedModel:
        """Wait for the fit and load the model it saved; raises model.TooFewOutcomes as the child did."""
        return model.load(Path(self._job.result()))


@contextmanager
def fitting_apart(
    warehouse: Warehouse,
    as_of: dt.date,
    *,
    groups: Sequence[list[str] | None],
    area_list: list[str],
    excluded: Collection[str],
    models_dir: Path,
) -> Iterator[Fitting]:
    """Start fitting and saving the model in a child process (DuckDB).

    The fit builds two years of features for everyone and LightGBM's own copy of them; in its own
    process that memory is returned when it ends, and the scoring uses the model as saved, as every
    later run does. Meanwhile the parent works out everything the scoring needs that does not
    depend on the model (results.prepare): the scores at the as-of date, the features and the
    lists, which the fit does not use.
    """
    context = multiprocessing.get_context("spawn")  # no fork of a process with DuckDB's threads
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        job = pool.submit(
            _fit_and_save,
            str(warehouse.root),
            as_of,
            list(groups),
            area_list,
            sorted(excluded),
            str(models_dir),
        )
        yield Fitting(job)

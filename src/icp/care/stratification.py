"""Risk stratification as the partnership runs it: who is in scope, who is left out, the run, the sync.

The pure package (`icp.stratify`) computes scores, the model and tiers over the warehouse. This
module adds, once, what needs the app database: the ICPs a run covers, the planning opt-outs in
force on the index date (from `icp.sharing`, so those people are left out of everything), and the
sync of each ICP's results into the app database. `icp stratify`, `icp model …` and the demo all
call it; none of them collects opt-outs or works out the ICPs on its own.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from icp.partnership.models import Area
from icp.patients.models import PatientIndex
from icp.patients.risk_sync import SyncSummary, replacing, sync_results
from icp.records.engine import Engine, open_tables
from icp.records.persons import by_person
from icp.records.schema import RISK_RESULT
from icp.records.warehouse import Warehouse
from icp.sharing.policy import planning_opt_outs
from icp.stratify import fitting
from icp.stratify import run as runs
from icp.stratify.model import FittedModel
from icp.stratify.tiers import DEFAULT_PYRAMID, Tier

Progress = Callable[[str], None]


class NothingToStratify(ValueError):
    """The warehouse holds nobody for the ICPs asked for."""


@dataclass(frozen=True)
class Scope:
    """The people a run covers: the ICPs, the index date and who is left out for a planning opt-out."""

    warehouse: Warehouse
    areas: list[str] | None  # as asked: None means every ICP in the warehouse
    icps: list[str]  # as found
    index_date: dt.date
    opted_out_by_icp: dict[str, frozenset[str]]

    @property
    def excluded(self) -> frozenset[str]:
        return frozenset().union(*self.opted_out_by_icp.values())


def scope(
    *, areas: list[str] | None, index_date: dt.date | None = None, warehouse: Warehouse | None = None
) -> Scope:
    """Work out a run's scope. `index_date` defaults to the newest record in the warehouse."""
    warehouse = warehouse or Warehouse()
    icps = sorted(areas) if areas else runs.areas_in(warehouse)
    if not icps:
        raise NothingToStratify("The warehouse holds nobody yet: run `icp synth` or `icp ingest` first.")
    when = index_date or runs.latest_record_date(warehouse, areas) or dt.date.today()
    opted_out = {icp: frozenset(planning_opt_outs(icp, on=when).patient_ids) for icp in icps}
    return Scope(warehouse=warehouse, areas=areas, icps=icps, index_date=when, opted_out_by_icp=opted_out)


def stratify(
    population: Scope,
    *,
    models_dir: Path,
    engine: Engine = "duckdb",
    pyramid: tuple[Tier, ...] = DEFAULT_PYRAMID,
    retrain: bool = False,
    progress: Progress | None = None,
    on_written: runs.Written | None = None,
) -> runs.RunSummary:
    """Score everyone in scope and write the run to the warehouse (the app database is untouched,
    unless `on_written` syncs each group's rows: `stratify_and_sync`)."""
    return runs.run(
        population.warehouse,
        index_date=population.index_date,
        areas=population.areas,
        engine=engine,
        models_dir=models_dir,
        pyramid=pyramid,
        opted_out_by_icp=population.opted_out_by_icp,
        retrain=retrain,
        progress=progress,
        on_written=on_written,
    )


def stratify_and_sync(
    population: Scope, *, by: Any = None, **options: Any
) -> tuple[runs.RunSummary, list[IcpSync]]:
    """Score everyone in scope, write the run, and replace their results in the app database.

    `options` are `stratify`'s. The sync runs beside the scoring: each group of ICPs the run writes
    is inserted by a thread of its own (`SyncAlongside`) while the next group is scored, in the one
    transaction `sync` would use, committed once the run is in the warehouse; a failure on either
    side undoes the sync (ADR 0201). Inside a transaction already open (a test, a caller's atomic
    block) the rows are synced after the run, on this connection, as `sync` does.
    """
    if connection.in_atomic_block:
        summary = stratify(population, **options)
        return summary, sync(population.warehouse, summary, by=by)
    alongside = SyncAlongside(population.icps, by=by)
    try:
        summary = stratify(population, on_written=alongside.put, **options)
    except BaseException:
        alongside.abandon()
        raise
    progress = options.get("progress")
    if progress is not None:
        progress("Committing the results to the app database…")
    return summary, alongside.finish(runs.run_detail(population.warehouse, summary.run_id))


class _Abandoned(Exception):
    """The run failed: the sync's transaction is rolled back."""


_DONE = object()
_ABANDON = object()


class SyncAlongside:
    """The app database sync on a thread of its own, fed each group's rows as the run writes them.

    The thread holds the one transaction (`risk_sync.replacing`) from the first group to the end:
    SQLite's and PostgreSQL's drivers let other threads run while the database works, so scoring
    and inserting share the two cores. A queue of two groups at most bounds the memory: a run
    faster than the database waits for it.
    """

    def __init__(self, icps: list[str], *, by: Any = None) -> None:
        self._icps = icps
        self._by = by
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._synced: list[IcpSync] = []
        self._thread = threading.Thread(target=self._work, name="risk-sync", daemon=True)
        self._thread.start()

    def put(self, rows: pa.Table, detail: Mapping[str, Any]) -> None:
        """Hand over one group's rows (called by the run); raises what the sync raised, if it failed."""
        self._raise_if_failed()
        self._hand_over((rows, dict(detail)))
        self._raise_if_failed()  # it may have failed while the run waited for room in the queue

    def finish(self, run_detail: Mapping[str, Any]) -> list[IcpSync]:
        """Wait for the last rows and the commit; what was synced for each of the run's ICPs.

        `run_detail`: the run's batch detail as committed (for ICPs where nobody was scored).
        """
        self._hand_over((_DONE, dict(run_detail)))
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._synced

    def abandon(self) -> None:
        """The run failed: roll the sync back and wait for the thread to end."""
        self._hand_over(_ABANDON)
        self._thread.join()

    def _hand_over(self, item: object) -> None:
        """Queue `item`, waiting for room while the thread lives (a failed thread takes nothing)."""
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                continue

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error
        if not self._thread.is_alive():
            raise RuntimeError("the app database sync ended early")

    def _work(self) -> None:
        try:
            areas = {area.code: area for area in Area.objects.filter(code__in=self._icps)}
            expected = PatientIndex.objects.filter(icp__in=list(areas.values())).count()
            synced: dict[str, IcpSync] = {}
            detail: dict[str, Any] = {}
            with replacing(list(areas.values()), rows=expected) as cleared:
                while (item := self._queue.get()) is not _ABANDON:
                    rows, detail = item
                    if rows is _DONE:
                        break
                    for icp in sorted(pc.unique(rows.column("icp")).to_pylist()):
                        part = rows.filter(pc.equal(rows.column("icp"), icp))
                        area = areas.get(icp)
                        summary = None
                        if area is not None:
                            summary = sync_results(
                                area, part, run_detail=detail, by=self._by, cleared=cleared
                            )
                        synced[icp] = IcpSync(icp, summary)
                else:
                    raise _Abandoned
                for icp, area in areas.items():  # nobody scored (all left out): the ICP's rows go
                    if icp not in synced:
                        empty = RISK_RESULT.empty_table()
                        synced[icp] = IcpSync(
                            icp, sync_results(area, empty, run_detail=detail, by=self._by, cleared=cleared)
                        )
            self._synced = [synced.get(icp, IcpSync(icp, None)) for icp in self._icps]
        except _Abandoned:
            pass
        except BaseException as error:  # handed to the run's thread, which raises it
            self._error = error
        finally:
            connection.close()


@dataclass(frozen=True)
class IcpSync:
    icp: str
    summary: SyncSummary | None  # None: the ICP is not in the app database's areas


def sync(warehouse: Warehouse, summary: runs.RunSummary, *, by: Any = None) -> list[IcpSync]:
    """Replace each ICP's results in the app database with the run's (audited per ICP by the sync).

    All the run's ICPs are replaced in one transaction; a run as large as the table is written with
    its secondary indexes set aside and built once at the end (`risk_sync.replacing`, ADR 0196).
    """
    detail = runs.run_detail(warehouse, summary.run_id)
    areas = {area.code: area for area in Area.objects.filter(code__in=summary.areas)}
    synced = []
    with replacing(list(areas.values()), rows=summary.people) as cleared:
        for icp in summary.areas:
            area = areas.get(icp)
            if area is None:
                synced.append(IcpSync(icp, None))
                continue
            table = runs.run_results(warehouse, icp, summary.run_id)
            synced.append(IcpSync(icp, sync_results(area, table, run_detail=detail, by=by, cleared=cleared)))
    return synced


def train(population: Scope, *, progress: Progress | None = None) -> tuple[FittedModel, Any, Any]:
    """Fit the admission model on everyone in scope but the opted out: (model, its metrics, baseline's)."""
    # A group of ICPs at a time, as a run fits (fitting.training_data): memory follows the group.
    groups = runs.area_groups(population.warehouse, population.icps)
    tables = [by_person(open_tables(population.warehouse, areas=group)) for group in groups]
    return fitting.train(
        tables,
        population.index_date,
        areas=population.icps,
        excluded=population.excluded,
        progress=progress,
    )

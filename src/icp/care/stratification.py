"""Risk stratification as the partnership runs it: who is in scope, who is left out, the run, the sync.

The pure package (`icp.stratify`) computes scores, the model and tiers over the warehouse. This
module adds, once, what needs the app database: the ICPs a run covers, the planning opt-outs in
force on the index date (from `icp.sharing`, so those people are left out of everything), and the
sync of each ICP's results into the app database. `icp stratify`, `icp model …` and the demo all
call it; none of them collects opt-outs or works out the ICPs on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icp.partnership.models import Area
from icp.patients.risk_sync import SyncSummary, replacing, sync_results
from icp.records.engine import Engine, open_tables
from icp.records.persons import by_person
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
) -> runs.RunSummary:
    """Score everyone in scope and write the run to the warehouse (the app database is untouched)."""
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
    )


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
    tables = by_person(open_tables(population.warehouse, areas=population.areas))
    return fitting.train(
        tables,
        population.index_date,
        areas=population.icps,
        excluded=population.excluded,
        progress=progress,
    )

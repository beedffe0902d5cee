"""Measure every indicator over a warehouse: cells on the engine, published tables in pandas.

`measure(tables, months, excluded=...)` returns each indicator's cells (one row per month, ICP,
practice, deprivation quintile, age band and sex) and `published(result)` the four disclosure-
controlled tables of each. `write(result, folder)` writes them as Parquet and CSV.

Only months the records cover whole are reported: a month ending after the records' last day
(`data_end`, by default the warehouse's latest admission, attendance or observation) would count
its events short. An indicator that follows people after the event (`readmissions_30d`: 30 days
after each discharge) also needs the follow-up of the month's last discharges inside the records,
so its latest month comes a month later; it is left out, not counted short, as NHS Digital
publishes a period only once its follow-up is in (docs/evaluation.md).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from icp.measure.disclosure import disclose_count
from icp.measure.indicators import cells as c
from icp.measure.indicators.definition import Indicator, indicators
from icp.measure.indicators.publish import TABLES, publish
from icp.stratify.events import Tables
from icp.stratify.execute import to_arrow

POOLED_MONTHS = 36
Progress = Callable[[str], None]


@dataclass
class MeasureResult:
    months: c.Months
    cells: dict[str, pd.DataFrame]
    opted_out: int
    synthetic: bool
    areas: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    # The last day the warehouse's records cover (its latest admission or attendance).
    data_end: dt.date | None = None
    # The months each indicator reports, where fewer than `months` (a follow-up still running).
    reported: dict[str, list[dt.date]] = field(default_factory=dict)

    def periods(self, indicator_id: str) -> list[dt.date]:
        """The months `indicator_id` reports: every month measured unless its follow-up is not in."""
        return self.reported.get(indicator_id, self.months.firsts())


def _frame(expression: ir.Table) -> pd.DataFrame:
    frame = to_arrow(expression).to_pandas()
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def _with_population(numerator: pd.DataFrame, population: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    chosen = population
    if indicator.age_min is not None:
        chosen = chosen[chosen["age_band"] >= indicator.age_min]
    if indicator.age_max is not None:
        chosen = chosen[chosen["age_band"] <= indicator.age_max]
    if indicator.sex != "any":
        chosen = chosen[chosen["sex"] == indicator.sex]
    merged = chosen.merge(
        numerator.drop(columns="denominator", errors="ignore"), on=list(c.KEYS), how="outer"
    )
    merged["numerator"] = merged["numerator"].fillna(0.0)
    merged["sum_squares"] = merged["sum_squares"].fillna(0.0)
    merged["denominator"] = merged.pop("population").fillna(0.0)
    return merged


def _pooled(frame: pd.DataFrame, months: int) -> pd.DataFrame:
    """Numerator summed, denominator averaged x years, over the `months` months ending each month."""
    keys = [k for k in c.KEYS if k != "period"]
    periods = sorted(frame["period"].unique())
    grid = frame.pivot_table(
        index=keys, columns="period", values=["numerator", "denominator"], aggfunc="sum", fill_value=0.0
    )
    numerator = grid["numerator"].reindex(columns=periods, fill_value=0.0)
    denominator = grid["denominator"].reindex(columns=periods, fill_value=0.0)
    summed = numerator.T.rolling(months).sum().T
    person_years = denominator.T.rolling(months).mean().T * (months / 12)
    result = (
        pd.DataFrame({"numerator": summed.stack(), "denominator": person_years.stack()})
        .dropna()
        .reset_index()
    )
    result = result.rename(columns={"level_5": "period"}) if "level_5" in result.columns else result
    result["sum_squares"] = 0.0
    return result[[*c.KEYS, "numerator", "denominator", "sum_squares"]]


def measure(
    tables: Tables,
    months: c.Months,
    *,
    excluded: Collection[str] = (),
    chosen: Sequence[Indicator] | None = None,
    progress: Progress | None = None,
    data_end: dt.date | None = None,
) -> MeasureResult:
    """Every (chosen) indicator's cells over `months`, people in `excluded` left out.

    `data_end` is the last day the records cover (by default `latest_record`); only the months
    it covers whole, with any follow-up the indicator needs, are reported (`MeasureResult.periods`)."""
    note = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    definitions = list(chosen or indicators())
    # Tables several indicators read are computed once and kept by the engine (a DuckDB temporary
    # table, a cached Spark DataFrame).
    persons = c.kept(c.people(tables, excluded))
    patient = tables["patient"]
    facts = to_arrow(
        patient.aggregate(
            people=patient.count(),
            synthetic=patient.synthetic.cast("int32").min().fill_null(1),
        )
    ).to_pylist()[0]
    areas = sorted(to_arrow(patient.select("icp").distinct()).column("icp").to_pylist())
    if data_end is None:
        data_end = latest_record(tables)
    opted_out = 0
    if excluded:
        left_out = ibis.memtable(pa.table({"excluded_id": pa.array(sorted(excluded), pa.string())}))
        present = patient.semi_join(left_out, patient.patient_id == left_out.excluded_id)
        opted_out = int(to_arrow(present.aggregate(n=present.count())).column("n")[0].as_py())
    month_table = months.table()
    lists: dict[str, Sequence[str]] = {}
    procedures: dict[str, Sequence[str]] = {}
    for definition in definitions:
        also = definition.numerator.get("also")
        if also:
            _name_once(lists, also["list"], definition)
        for rule in definition.rules:
            named = procedures if rule.condition == "unless_procedure" else lists
            _name_once(named, rule.list_name, definition)
    spell_table = c.kept(c.spells(tables, lists, procedures))
    note("population by month")
    population = _frame(c.population_cells(persons, months))
    timings["population"] = time.perf_counter() - started
    states: ir.Table | None = None
    results: dict[str, pd.DataFrame] = {}
    reported: dict[str, list[dt.date]] = {}
    for definition in definitions:
        note(definition.id)
        begun = time.perf_counter()
        measure_ = definition.measure
        if measure_ == "population_rate":
            events = c.population_rate_events(definition, tables, spell_table)
            numerator = _frame(c._cells(definition, events, persons, months, value="value"))
            frame = _with_population(numerator.drop(columns="events"), population, definition)
        elif measure_ == "readmission":
            events = c.readmission_events(definition, spell_table, persons, data_end)
            frame = _frame(c._cells(definition, events, persons, months, denominator="readmitted"))
            frame["denominator"] = frame.pop("events")
        elif measure_ == "deaths":
            death = tables["death"]
            places = list(definition.numerator["places"])
            events = death.filter(death.death_date.notnull()).select(
                "patient_id", event_date=death.death_date, usual=death.place_of_death.isin(places)
            )
            frame = _frame(c._cells(definition, events, persons, months, denominator="usual"))
            frame["denominator"] = frame.pop("events")
        elif measure_ == "referral_days":
            referral = tables["referral"]
            start, end = definition.numerator["from"], definition.numerator["to"]
            done = referral.filter(referral[end].notnull() & referral[start].notnull())
            events = done.select(
                "patient_id",
                event_date=done[end],
                days=done[end].delta(done[start], unit="day").cast("float64"),
            )
            frame = _frame(c._cells(definition, events, persons, months, value="days"))
            frame["denominator"] = frame.pop("events")
        else:
            if states is None:
                states = c.kept(c.score_states(tables, months.score_dates(), persons))
            frame = self_serve(definition, tables, persons, months, month_table, states)
        if "events" in frame.columns:
            frame = frame.drop(columns="events")
        follow_up = c.follow_up_days(definition) if measure_ == "readmission" else 1
        complete = c.followed_months(months, follow_up, data_end)
        if len(complete) < len(months.firsts()):
            reported[definition.id] = complete
            frame = frame[frame["period"].isin(complete)].reset_index(drop=True)
        results[definition.id] = frame
        timings[definition.id] = time.perf_counter() - begun
    timings["total"] = time.perf_counter() - started
    return MeasureResult(
        months, results, opted_out, bool(facts["synthetic"]), areas, timings, data_end, reported
    )


def _name_once(named: dict[str, Sequence[str]], name: str, definition: Indicator) -> None:
    """The spell flags are one column per list name: two definitions may share a name only with
    the same codes."""
    codes = definition.codes(name)
    if named.setdefault(name, codes) != codes:
        raise ValueError(f"{definition.path}: code list {name!r} differs from another definition's")


def latest_record(tables: Tables) -> dt.date | None:
    """The last day the warehouse's records cover: its latest admission, attendance or observation
    (None when it holds none), as stratify takes an extract's index date. Spells the extract
    catches in hospital end on it at the latest."""
    encounter, observation = tables["encounter"], tables["observation"]
    found = [
        to_arrow(encounter.aggregate(last=encounter.start_date.max())).column("last")[0].as_py(),
        to_arrow(observation.aggregate(last=observation.effective_date.max())).column("last")[0].as_py(),
    ]
    days = [d.date() if isinstance(d, dt.datetime) else d for d in found if isinstance(d, dt.date)]
    return max(days) if days else None


def self_serve(
    definition: Indicator,
    tables: Tables,
    persons: ir.Table,
    months: c.Months,
    month_table: ir.Table,
    states: ir.Table,
) -> pd.DataFrame:
    """Snapshot and amputation indicators: people in a state (from the scores) month by month."""
    if definition.measure == "amputation":
        register = definition.denominator["register"]
        eligible = states.filter(states[register])
    elif "efi_categories" in definition.denominator:
        eligible = states.filter(states.efi_category.isin(list(definition.denominator["efi_categories"])))
    else:
        eligible = states.filter(states[definition.denominator["register"]])
    monthly = eligible.join(month_table, eligible.score_date == month_table.score_date)
    monthly = monthly.select(
        patient_id=monthly.score_patient, event_date=monthly.month_last, period_mid=monthly.month_mid
    )
    alive = persons.select(alive_id=persons.patient_id, death_date=persons.death_date)
    monthly = monthly.join(alive, monthly.patient_id == alive.alive_id)
    monthly = monthly.filter(monthly.death_date.isnull() | (monthly.death_date > monthly.event_date))
    if definition.measure == "amputation":
        procedure = tables["procedure"]
        codes = definition.codes(definition.numerator["procedures"]["list"])
        normalised = procedure.code.upper().replace(".", "").strip()
        done = procedure.filter(procedure.performed_date.notnull() & c._code_match(normalised, codes))
        diabetic = eligible.select(diabetic_id=eligible.score_patient).distinct()
        done = done.semi_join(diabetic, done.patient_id == diabetic.diabetic_id)
        events = done.select("patient_id", event_date=done.performed_date, value=ibis.literal(1.0))
        numerator = _frame(c._cells(definition, events, persons, months, value="value"))
        denominator = _frame(
            c._cells(definition, monthly.select("patient_id", "event_date"), persons, months)
        )
        numerator = numerator.drop(columns=["events"])
        denominator = denominator.rename(columns={"events": "population"})[[*c.KEYS, "population"]]
        merged = _with_population(numerator.assign(denominator=0.0), denominator, definition)
        return _pooled(merged, POOLED_MONTHS)
    plans = tables["care_plan"]
    category = definition.numerator["care_plan"]
    chosen = plans.filter(plans.category == category)
    with_plan = monthly.join(chosen, monthly.patient_id == chosen.patient_id).filter(
        lambda t: (t.created_date <= t.event_date) & (t.ended_date.isnull() | (t.ended_date > t.event_date))
    )
    marked = with_plan.select(plan_id=with_plan.patient_id, plan_day=with_plan.event_date).distinct()
    flagged = monthly.left_join(
        marked, (monthly.patient_id == marked.plan_id) & (monthly.event_date == marked.plan_day)
    )
    flagged = flagged.select(
        patient_id=flagged.patient_id, event_date=flagged.event_date, has_plan=flagged.plan_id.notnull()
    )
    frame = _frame(c._cells(definition, flagged, persons, months, denominator="has_plan"))
    frame["denominator"] = frame.pop("events")
    return frame


def published(result: MeasureResult) -> dict[str, pd.DataFrame]:
    """The four published tables, every indicator in each (disclosure-controlled)."""
    by_table: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for definition in indicators():
        if definition.id not in result.cells:
            continue
        cells = result.cells[definition.id]
        if cells.empty:
            continue
        for name in TABLES:
            by_table[name].append(
                publish(
                    cells, definition, name, synthetic=result.synthetic, periods=result.periods(definition.id)
                )
            )
    return {name: pd.concat(parts, ignore_index=True) for name, parts in by_table.items() if parts}


def write(result: MeasureResult, folder: Path) -> dict[str, pd.DataFrame]:
    """Each published table as Parquet and CSV in `folder`, and the opt-out count (disclosed)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = published(result)
    for name, frame in tables.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, folder / f"{name}.parquet")
        frame.to_csv(folder / f"{name}.csv", index=False)
    opted = disclose_count(result.opted_out)
    (folder / "opt_outs.csv").write_text(
        "planning_opt_outs_left_out,suppressed\n"
        f"{'' if opted is None and result.opted_out else (opted if opted is not None else 0)},"
        f"{str(opted is None and result.opted_out > 0).lower()}\n",
        encoding="utf-8",
    )
    return tables

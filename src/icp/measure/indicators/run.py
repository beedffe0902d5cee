"""Measure every indicator over a warehouse: cells and their roll-ups on the engine, the published
tables finished in pandas.

`measure(tables, months, excluded=...)` returns each indicator's cells (one row per month, ICP,
practice, deprivation quintile, age band and sex) as engine expressions, `published(result)` the
four disclosure-controlled tables of each, and `write(result, folder)` writes them as Parquet and
CSV. The population-sized work stays on the engine: each indicator's cells are computed once, kept
while its four tables are summed from them, and let go; only the summed rows (a few thousand per
indicator) come into pandas, for the intervals and disclosure control. A population rate's cells
would combine its numerator with about a million population cells: its tables are summed instead
from its numerator cells and the population rolled up once to each table's keys for every rate
(`publish.rate_rolled`, the same sums). Reading `result.cells[id]` brings one indicator's cells
into pandas (tests, small runs).

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
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from icp.measure.disclosure import disclose_count
from icp.measure.indicators import cells as c
from icp.measure.indicators import states as s
from icp.measure.indicators.definition import Indicator, indicators
from icp.measure.indicators.publish import (
    COLUMNS,
    TABLES,
    disclosed,
    population_rolls,
    publish,
    rate_rolled,
    with_expected,
)
from icp.stratify.events import Tables
from icp.stratify.execute import to_arrow

Progress = Callable[[str], None]
# What `icp measure` and the indicator refresh give DuckDB (records.engine.connect): with it a run
# over all of Northern Ireland peaks near 2.3 GB, under issue 11's 3 GB (docs/evaluation.md, Speed).
MEMORY_LIMIT = "2GB"


class Cells(Mapping[str, pd.DataFrame]):
    """Each indicator's cells as a pandas frame, computed from its expression when first read."""

    def __init__(self, expressions: dict[str, ir.Table]) -> None:
        self.expressions = expressions
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, indicator_id: str) -> pd.DataFrame:
        if indicator_id not in self._frames:
            frame = to_arrow(self.expressions[indicator_id]).to_pandas()
            frame["period"] = pd.to_datetime(frame["period"]).dt.date
            self._frames[indicator_id] = frame
        return self._frames[indicator_id]

    def __contains__(self, indicator_id: object) -> bool:
        # Mapping's own test reads the item, which would compute the cells.
        return indicator_id in self.expressions

    def __iter__(self) -> Iterator[str]:
        return iter(self.expressions)

    def __len__(self) -> int:
        return len(self.expressions)


@dataclass
class MeasureResult:
    months: c.Months
    cells: Cells
    opted_out: int
    synthetic: bool
    areas: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    # The last day the warehouse's records cover (its latest admission or attendance).
    data_end: dt.date | None = None
    # The months each indicator reports, where fewer than `months` (a follow-up still running).
    reported: dict[str, list[dt.date]] = field(default_factory=dict)
    # Each population rate's numerator cells (KEYS…, numerator, sum_squares) and the population
    # cells (KEYS…, population) its cells combine them with: its tables are rolled up from these.
    numerators: dict[str, ir.Table] = field(default_factory=dict)
    population: ir.Table | None = None

    def periods(self, indicator_id: str) -> list[dt.date]:
        """The months `indicator_id` reports: every month measured unless its follow-up is not in."""
        return self.reported.get(indicator_id, self.months.firsts())


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
    it covers whole, with any follow-up the indicator needs, are reported (`MeasureResult.periods`).
    `progress` is told what is being computed; the tables many indicators share are computed here,
    each indicator's own cells when they are read or published."""
    note = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    definitions = list(chosen or indicators())
    note("people and the records' last day")
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
    lists, procedures = c.spell_lists(definitions)
    measures = {definition.measure for definition in definitions}
    spell_table: ir.Table | None = None
    if measures & {"population_rate", "readmission"}:
        note("hospital spells")
        spell_table = c.kept(c.spells(tables, lists, procedures))
    population: ir.Table | None = None
    if "population_rate" in measures:
        note("population by month")
        population = c.kept(c.population_cells(persons, months))
    states: ir.Table | None = None
    if measures & {"snapshot", "amputation"}:
        note("scores at each 31 March")
        registers = {d.denominator["register"] for d in definitions if "register" in d.denominator}
        categories = {k for d in definitions for k in d.denominator.get("efi_categories", [])}
        states = c.kept(
            s.score_states(
                tables,
                months.score_dates(),
                persons,
                registers=sorted(registers),
                efi_categories=sorted(categories),
            )
        )
    timings["shared"] = time.perf_counter() - started
    expressions: dict[str, ir.Table] = {}
    reported: dict[str, list[dt.date]] = {}
    numerators: dict[str, ir.Table] = {}
    for definition in definitions:
        if definition.measure == "population_rate":
            assert spell_table is not None and population is not None
            numerators[definition.id] = _rate_numerator(
                definition, tables, persons, months, data_end, spell_table
            )
            expression = c.combined(numerators[definition.id], c.population_scope(definition, population))
        else:
            expression = _cells(definition, tables, persons, months, data_end, spell_table, states)
        follow_up = c.follow_up_days(definition) if definition.measure == "readmission" else 1
        complete = c.followed_months(months, follow_up, data_end)
        if len(complete) < len(months.firsts()):
            reported[definition.id] = complete
            expression = expression.filter(
                expression.period.isin([ibis.literal(month, "date") for month in complete])
                if complete
                else ibis.literal(False)
            )
        expressions[definition.id] = expression
    timings["total"] = time.perf_counter() - started
    return MeasureResult(
        months,
        Cells(expressions),
        opted_out,
        bool(facts["synthetic"]),
        areas,
        timings,
        data_end,
        reported,
        numerators,
        population,
    )


def _rate_numerator(
    definition: Indicator,
    tables: Tables,
    persons: ir.Table,
    months: c.Months,
    data_end: dt.date | None,
    spell_table: ir.Table,
) -> ir.Table:
    """A population rate's numerator cells: (KEYS…, numerator, events, sum_squares)."""
    events = c.population_rate_events(definition, tables, spell_table, months=months, data_end=data_end)
    return c._cells(definition, events, persons, months, value="value")


def _cells(
    definition: Indicator,
    tables: Tables,
    persons: ir.Table,
    months: c.Months,
    data_end: dt.date | None,
    spell_table: ir.Table | None,
    states: ir.Table | None,
) -> ir.Table:
    """One indicator's cells, other than a population rate's: (KEYS…, numerator, denominator,
    sum_squares)."""
    measure_ = definition.measure
    if measure_ == "readmission":
        assert spell_table is not None
        events = c.readmission_events(definition, spell_table, data_end)
        return c.counted(c._cells(definition, events, persons, months, denominator="readmitted", living=True))
    if measure_ == "deaths":
        death = tables["death"]
        places = list(definition.numerator["places"])
        events = death.filter(death.death_date.notnull()).select(
            "patient_id", event_date=death.death_date, usual=death.place_of_death.isin(places)
        )
        return c.counted(c._cells(definition, events, persons, months, denominator="usual"))
    if measure_ == "referral_days":
        referral = tables["referral"]
        start, end = definition.numerator["from"], definition.numerator["to"]
        done = referral.filter(referral[end].notnull() & referral[start].notnull())
        events = done.select(
            "patient_id",
            event_date=done[end],
            days=done[end].delta(done[start], unit="day").cast("float64"),
        )
        return c.counted(c._cells(definition, events, persons, months, value="days"))
    assert states is not None
    return s.snapshot_cells(definition, tables, persons, months, states)


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


def published(result: MeasureResult, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The four published tables, every indicator in each (disclosure-controlled).

    Each indicator's cells (a population rate's numerator cells) are computed once on the engine,
    kept while its four tables are summed from them, then let go, so that only one indicator's
    cells are held at a time; the population rolled up for the rates is kept throughout."""
    note = progress or (lambda _message: None)
    by_table: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    rolls: dict[str, ir.Table] | None = None
    for definition in indicators():
        if definition.id not in result.cells:
            continue
        note(definition.id)
        begun = time.perf_counter()
        if definition.id in result.numerators and result.population is not None:
            # A population rate: its numerator with the population summed once for every rate.
            if rolls is None:
                rolls = {
                    name: _materialised(roll) for name, roll in population_rolls(result.population).items()
                }
            with _held(result.numerators[definition.id]) as numerator:
                for name in TABLES:
                    frame = rate_rolled(
                        numerator, rolls, definition, name, periods=result.periods(definition.id)
                    )
                    if len(frame):
                        by_table[name].append(disclosed(frame, definition, synthetic=result.synthetic))
            result.timings[definition.id] = time.perf_counter() - begun
            continue
        expression = result.cells.expressions[definition.id]
        if definition.standardisation == "indirect_age_sex":
            expression = with_expected(expression)
        with _held(expression) as cells:
            for name in TABLES:
                frame = publish(
                    cells, definition, name, synthetic=result.synthetic, periods=result.periods(definition.id)
                )
                if len(frame):
                    by_table[name].append(frame)
        result.timings[definition.id] = time.perf_counter() - begun
    result.timings["published"] = sum(result.timings.get(d.id, 0.0) for d in indicators())
    # Every table is written, if empty with its columns (a run shorter than a year has no year rows).
    return {
        name: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
        for name, parts in by_table.items()
    }


class _held:
    """The cells kept by the engine while they are summed: a DuckDB temporary table, released on
    exit; on Spark, brought once into an in-process table (the four roll-ups then read that)."""

    def __init__(self, expression: ir.Table) -> None:
        self.expression = expression
        self.cached: ir.Table | None = None

    def __enter__(self) -> ir.Table:
        if self.expression._find_backend(use_default=True).name == "pyspark":
            return _materialised(self.expression)
        self.cached = _materialised(self.expression)
        return self.cached

    def __exit__(self, *_exc: object) -> None:
        if self.cached is not None:
            self.cached.release()


def _materialised(expression: ir.Table) -> ir.Table:
    """The expression computed once: a DuckDB temporary table, or on Spark an in-process table
    (Spark would otherwise compute it again at every read)."""
    if expression._find_backend(use_default=True).name == "pyspark":
        return ibis.memtable(to_arrow(expression))
    return expression.cache()


def write(result: MeasureResult, folder: Path, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """Each published table as Parquet and CSV in `folder`, and the opt-out count (disclosed)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = published(result, progress)
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

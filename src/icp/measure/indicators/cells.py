"""The indicators' counts as Ibis expressions: one row per (indicator, month, ICP, practice,
deprivation quintile, age band, sex) cell, on DuckDB or Spark alike.

Everything published (month x ICP, month x practice, year x ICP x quintile, year x ICP x age band x
sex, and the standardised ratios) is a sum of these cells, so the engines only ever do the
population-sized work and the small roll-ups happen once, in `publish.py`.

Conventions (docs/evaluation.md):
- a month's population is the people registered, born and alive on its 15th day;
- an event belongs to the month of its date, and to the person's age on that date;
- age bands are 5 years wide (0-4 … 85-89) with 90+ as the last;
- people with a planning opt-out are left out of everything before anything is counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from icp.measure.indicators.definition import Indicator
from icp.stratify.events import Tables

KEYS = ("period", "icp", "practice_code", "deprivation_quintile", "age_band", "sex")
TOP_BAND = 90
SCORE_DAY = (3, 31)  # scores are computed as at each 31 March, as a yearly stratification would be


@dataclass(frozen=True)
class Months:
    """The months reported: first days from `start` to `end` inclusive."""

    start: dt.date
    end: dt.date

    def firsts(self) -> list[dt.date]:
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return months

    def lasts(self) -> list[dt.date]:
        return [
            (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            for m in self.firsts()
        ]

    def table(self) -> ir.Table:
        firsts = self.firsts()
        lasts = self.lasts()
        scored = [score_date_for(last) for last in lasts]
        return ibis.memtable(
            pa.table(
                {
                    "period": pa.array(firsts, pa.date32()),
                    "month_mid": pa.array([m.replace(day=15) for m in firsts], pa.date32()),
                    "month_last": pa.array(lasts, pa.date32()),
                    "score_date": pa.array(scored, pa.date32()),
                }
            )
        )

    def score_dates(self) -> list[dt.date]:
        # The same dates `table()` gives each month: the latest 31 March on or before its last day
        # (a March is scored at its own 31 March; taking its first day left every March unscored).
        return sorted({score_date_for(last) for last in self.lasts()})


def kept(expression: ir.Table) -> ir.Table:
    """The expression computed once and kept by the engine, for tables several indicators read.

    DuckDB keeps it as a temporary table. On Spark it is left as an expression: Ibis 12 caches a
    Spark DataFrame before registering the in-memory code lists it refers to, which fails.
    """
    if expression._find_backend(use_default=True).name == "pyspark":
        return expression
    return expression.cache()


def score_date_for(day: dt.date) -> dt.date:
    """The latest 31 March on or before `day`."""
    this_year = dt.date(day.year, *SCORE_DAY)
    return this_year if this_year <= day else dt.date(day.year - 1, *SCORE_DAY)


def age_on(birth: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Whole years between `birth` and `on` (the same rule as stratify's population)."""
    not_yet = (birth.month() * 100 + birth.day()) > (on.month() * 100 + on.day())
    return ((on.year() - birth.year()) - not_yet.ifelse(1, 0)).cast("int32")


def age_band(age: ir.IntegerValue) -> ir.IntegerValue:
    return ibis.least((age // 5) * 5, TOP_BAND).cast("int32")


def people(tables: Tables, excluded: Collection[str]) -> ir.Table:
    """Everyone with a birth date, less the planning opt-outs."""
    patient = tables["patient"]
    chosen = patient.filter(patient.birth_date.notnull())
    if excluded:
        left_out = ibis.memtable(pa.table({"excluded_id": pa.array(sorted(excluded), pa.string())}))
        chosen = chosen.anti_join(left_out, chosen.patient_id == left_out.excluded_id)
    return chosen.select(
        "patient_id",
        "icp",
        "birth_date",
        "death_date",
        practice_code=chosen.practice_code.fill_null("unknown"),
        deprivation_quintile=chosen.deprivation_quintile.cast("int32").fill_null(0),
        sex=chosen.sex.fill_null("unknown"),
    )


def _in_scope(indicator: Indicator, age: ir.IntegerValue, sex: ir.StringValue) -> ir.BooleanValue:
    condition = ibis.literal(True)
    if indicator.age_min is not None:
        condition &= age >= indicator.age_min
    if indicator.age_max is not None:
        condition &= age <= indicator.age_max
    if indicator.sex != "any":
        condition &= sex == indicator.sex
    return condition


def _cells(
    indicator: Indicator,
    events: ir.Table,
    persons: ir.Table,
    months: Months,
    *,
    value: str | None = None,
    denominator: str | None = None,
    living: bool = False,
) -> ir.Table:
    """Events (patient_id, event_date[, value, flag]) → cells: numerator (sum of the values of the
    flagged events), events (all events) and sum_squares (of the flagged values). `living`: only
    the events dated before the person's death (a snapshot of a state counts the living)."""
    joined = events.join(persons, events.patient_id == persons.patient_id)
    if living:
        joined = joined.filter(joined.death_date.isnull() | (joined.death_date > joined.event_date))
    age = age_on(joined.birth_date, joined.event_date)
    rows = joined.select(
        period=joined.event_date.truncate("M"),
        icp=joined.icp,
        practice_code=joined.practice_code,
        deprivation_quintile=joined.deprivation_quintile,
        age_band=age_band(age),
        sex=joined.sex,
        age=age,
        value=joined[value].cast("float64") if value else ibis.literal(1.0),
        flag=joined[denominator] if denominator else ibis.literal(True),
    )
    rows = rows.filter(
        _in_scope(indicator, rows.age, rows.sex)
        & (rows.period >= ibis.literal(months.start))
        & (rows.period <= ibis.literal(months.end))
    )
    return rows.group_by(list(KEYS)).aggregate(
        numerator=rows.value.sum(where=rows.flag).fill_null(0.0),
        events=rows.count().cast("float64"),
        sum_squares=(rows.value * rows.value).sum(where=rows.flag).fill_null(0.0),
    )


def _code_match(code: ir.StringValue, prefixes: Sequence[str]) -> ir.BooleanValue:
    condition = ibis.literal(False)
    for length in sorted({len(p) for p in prefixes}):
        condition |= code.substr(0, length).isin([p for p in prefixes if len(p) == length])
    return condition


def spell_lists(
    definitions: Sequence[Indicator],
) -> tuple[dict[str, Sequence[str]], dict[str, Sequence[str]]]:
    """The diagnosis and procedure code lists `spells` must flag for `definitions`: each one's
    `also` list and its rules' lists (a procedure list for `unless_procedure`)."""
    lists: dict[str, Sequence[str]] = {}
    procedures: dict[str, Sequence[str]] = {}
    for definition in definitions:
        also = definition.numerator.get("also")
        if also:
            _name_once(lists, also["list"], definition)
        for rule in definition.rules:
            named = procedures if rule.condition == "unless_procedure" else lists
            _name_once(named, rule.list_name, definition)
    return lists, procedures


def _name_once(named: dict[str, Sequence[str]], name: str, definition: Indicator) -> None:
    """The spell flags are one column per list name: two definitions may share a name only with
    the same codes."""
    codes = definition.codes(name)
    if named.setdefault(name, codes) != codes:
        raise ValueError(f"{definition.path}: code list {name!r} differs from another definition's")


def spells(
    tables: Tables,
    indicator_lists: dict[str, Sequence[str]],
    procedure_lists: dict[str, Sequence[str]] | None = None,
) -> ir.Table:
    """Hospital spells with their primary ICD-10 code, for each named diagnosis list whether any
    of the spell's diagnoses matches it (`any_<name>`), and for each named OPCS-4 list whether any
    procedure recorded at the spell (procedure.encounter_id) matches it (`procedure_<name>`)."""
    encounter = tables["encounter"]
    inpatient = encounter.filter((encounter.setting == "inpatient") & encounter.start_date.notnull())
    listed = inpatient.filter(inpatient.diagnoses.notnull())
    unnested = listed.select(listed.encounter_id, diagnosis=listed.diagnoses.unnest())
    codes = unnested.select(
        unnested.encounter_id,
        rank=unnested.diagnosis["rank"],
        code_system=unnested.diagnosis["code_system"],
        code=unnested.diagnosis["code"].upper().replace(".", "").strip(),
    )
    codes = codes.filter(codes.code_system == "icd10")
    summary = codes.group_by("encounter_id").aggregate(
        primary_code=codes.code.max(where=codes.rank == 1),
        **{
            f"any_{name}": _code_match(codes.code, prefixes).any()
            for name, prefixes in indicator_lists.items()
        },
    )
    joined = inpatient.left_join(summary, inpatient.encounter_id == summary.encounter_id)
    selected = joined.select(
        inpatient.encounter_id,
        inpatient.patient_id,
        inpatient.start_date,
        inpatient.end_date,
        emergency=inpatient.admission_method == "emergency",
        primary_code=summary.primary_code.fill_null(""),
        **{f"any_{name}": summary[f"any_{name}"].fill_null(False) for name in indicator_lists},
    )
    if not procedure_lists:
        return selected
    procedure = tables["procedure"]
    done = procedure.filter(
        procedure.encounter_id.notnull() & (procedure.code_system == "opcs4") & procedure.code.notnull()
    )
    done = done.select(stay_id=done.encounter_id, code=done.code.upper().replace(".", "").strip())
    flags = done.group_by("stay_id").aggregate(
        **{
            f"procedure_{name}": _code_match(done.code, prefixes).any()
            for name, prefixes in procedure_lists.items()
        }
    )
    with_flags = selected.left_join(flags, selected.encounter_id == flags.stay_id)
    return with_flags.select(
        *[with_flags[column] for column in selected.columns],
        **{f"procedure_{name}": with_flags[f"procedure_{name}"].fill_null(False) for name in procedure_lists},
    )


def _month_number(day: ir.DateValue, *, after_15th: ir.BooleanValue) -> ir.IntegerValue:
    """Months since year 0 of the first month whose 15th is on or after `day` (after_15th: the
    day is later than its month's 15th, so the next month's is the first)."""
    return (day.year() * 12 + day.month() - 1 + after_15th.ifelse(1, 0)).cast("int64")


def population_cells(persons: ir.Table, months: Months) -> ir.Table:
    """People alive and registered on each month's 15th, by cell: (keys…, population).

    The same count as crossing every person with every month, without making those rows (about
    a hundred million for Northern Ireland over four years). On the 15th of month T (counted in
    months since year 0), a person born in month B is alive from the first T whose 15th is on or
    after the birth and until the first T whose 15th is on or after the death, and their age is
    (T - B') // 12 with B' that first month, so their age band changes every 60 months. Each
    person is a few stretches of months in one band: +1 where a stretch starts, -1 after it
    ends, and a running sum over the months of each cell gives the population of every month."""
    firsts = months.firsts()
    first = firsts[0].year * 12 + firsts[0].month - 1
    last = firsts[-1].year * 12 + firsts[-1].month - 1
    born = _month_number(persons.birth_date, after_15th=persons.birth_date.day() > 15)
    gone = _month_number(persons.death_date, after_15th=persons.death_date.day() > 15)
    people = persons.select(
        "icp",
        "practice_code",
        "deprivation_quintile",
        "sex",
        born=born,
        start=ibis.greatest(born, first),
        stop=ibis.least(gone.fill_null(last + 1), last + 1),  # first month not counted
    )
    people = people.filter(people.start < people.stop)
    # A stretch for each band the person is in during the run: at most one change in 60 months.
    steps = ibis.memtable(pa.table({"step": pa.array(range((last - first) // 60 + 2), pa.int64())}))
    stretched = people.cross_join(steps)
    band_number = (stretched.start - stretched.born) // 60 + stretched.step
    stretch_start = ibis.greatest(stretched.start, stretched.born + band_number * 60)
    stretch_stop = ibis.least(stretched.stop, stretched.born + (band_number + 1) * 60)
    stretches = stretched.select(
        "icp",
        "practice_code",
        "deprivation_quintile",
        "sex",
        age_band=ibis.least(band_number * 5, TOP_BAND).cast("int32"),
        stretch_start=stretch_start,
        stretch_stop=stretch_stop,
    )
    stretches = stretches.filter(stretches.stretch_start < stretches.stretch_stop)
    cell_keys = ["icp", "practice_code", "deprivation_quintile", "sex", "age_band"]
    changes = ibis.union(
        stretches.select(*cell_keys, month=stretches.stretch_start, change=ibis.literal(1, "int64")),
        stretches.filter(stretches.stretch_stop <= last).select(
            *cell_keys, month=stretches.stretch_stop, change=ibis.literal(-1, "int64")
        ),
        distinct=False,
    )
    changes = changes.group_by([*cell_keys, "month"]).aggregate(change=changes.change.sum())
    numbered = ibis.memtable(
        pa.table(
            {
                "month": pa.array([first + index for index in range(len(firsts))], pa.int64()),
                "period": pa.array(firsts, pa.date32()),
            }
        )
    )
    grid = changes.select(*cell_keys).distinct().cross_join(numbered)
    same = [grid[key] == changes[key] for key in [*cell_keys, "month"]]
    counted = grid.left_join(changes, same)
    counted = counted.select(
        *[counted[k] for k in cell_keys],
        month=counted.month,
        period=counted.period,
        change=counted.change.fill_null(0),
    )
    running = ibis.window(group_by=cell_keys, order_by="month", preceding=None, following=0)
    counted = counted.mutate(population=counted.change.sum().over(running))
    counted = counted.filter(counted.population > 0)
    return counted.select(*KEYS, population=counted.population.cast("float64"))


def combined(numerator: ir.Table, denominator: ir.Table) -> ir.Table:
    """Cells with the numerator of one and the denominator of the other (missing counts 0): a
    union and a sum, which is an outer join on every engine.

    `numerator` has (KEYS…, numerator, sum_squares); `denominator` has (KEYS…, denominator)."""
    parts = ibis.union(
        numerator.select(
            *KEYS,
            numerator=numerator.numerator.cast("float64"),
            sum_squares=numerator.sum_squares.cast("float64"),
            denominator=ibis.literal(0.0),
        ),
        denominator.select(
            *KEYS,
            numerator=ibis.literal(0.0),
            sum_squares=ibis.literal(0.0),
            denominator=denominator.denominator.cast("float64"),
        ),
        distinct=False,
    )
    return parts.group_by(list(KEYS)).aggregate(
        numerator=parts.numerator.sum(),
        denominator=parts.denominator.sum(),
        sum_squares=parts.sum_squares.sum(),
    )


def counted(cells: ir.Table) -> ir.Table:
    """Cells whose denominator is the number of events (a proportion or a mean over events)."""
    return cells.select(
        *KEYS, numerator=cells.numerator, denominator=cells.events, sum_squares=cells.sum_squares
    )


def population_scope(indicator: Indicator, population: ir.Table) -> ir.Table:
    """The population cells in the indicator's age (by band: its bounds are band bounds) and sex."""
    chosen = banded_scope(indicator, population)
    return chosen.select(*KEYS, denominator=chosen.population)


def banded_scope(indicator: Indicator, rows: ir.Table) -> ir.Table:
    """The rows (with age_band and sex) in the indicator's age, by band, and sex."""
    if indicator.age_min is not None:
        rows = rows.filter(rows.age_band >= indicator.age_min)
    if indicator.age_max is not None:
        rows = rows.filter(rows.age_band <= indicator.age_max)
    if indicator.sex != "any":
        rows = rows.filter(rows.sex == indicator.sex)
    return rows


def population_rate_events(
    indicator: Indicator,
    tables: Tables,
    spell_table: ir.Table,
    *,
    months: Months,
    data_end: dt.date | None,
) -> ir.Table:
    """The numerator events of a population rate: (patient_id, event_date, value). Bed days are
    each stay's nights in each of `months` (`nights_by_month`), not the whole stay at admission."""
    numerator = indicator.numerator
    if numerator["events"] == "ae_attendance":
        encounter = tables["encounter"]
        ae = encounter.filter((encounter.setting == "ae") & encounter.start_date.notnull())
        return ae.select("patient_id", event_date=ae.start_date, value=ibis.literal(1.0))
    chosen = spell_table.filter(spell_table.emergency)
    if "diagnosis" in numerator:
        chosen = chosen.filter(
            _code_match(chosen.primary_code, indicator.codes(numerator["diagnosis"]["list"]))
        )
    for rule in indicator.rules:
        column = chosen[f"{'procedure' if rule.condition == 'unless_procedure' else 'any'}_{rule.list_name}"]
        holds = column if rule.condition == "only_with_any" else ~column
        chosen = chosen.filter(~_code_match(chosen.primary_code, rule.primary) | holds)
    if "also" in numerator:
        chosen = chosen.filter(chosen[f"any_{numerator['also']['list']}"])
    if numerator.get("count") == "bed_days":
        return nights_by_month(chosen, months, data_end)
    return chosen.select("patient_id", event_date=chosen.start_date, value=ibis.literal(1.0))


def nights_by_month(stays: ir.Table, months: Months, data_end: dt.date | None) -> ir.Table:
    """The nights of each stay (patient_id, start_date, end_date) in each of `months`, as one event
    per stay and month: (patient_id, event_date: its first night in the month, value: its nights
    in the month).

    A night belongs to the day it begins, as a bed is counted occupied at midnight: a stay occupies
    the nights from its admission day to the day before its discharge (a same-day stay none), so a
    stay from 25 June to 2 July has six nights in June and one in July, and a stay admitted before
    the first month counts its nights in the months measured. A stay with no discharge date is
    still in hospital at the records' last day (`data_end`) and occupies every night to that day's
    (none when the records' last day is unknown)."""
    firsts = months.firsts()
    nexts = [*firsts[1:], (firsts[-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1)]
    month_table = ibis.memtable(
        pa.table({"night_first": pa.array(firsts, pa.date32()), "night_next": pa.array(nexts, pa.date32())})
    )
    still_in = (
        ibis.literal(data_end + dt.timedelta(days=1), "date") if data_end is not None else stays.start_date
    )
    dated = stays.select("patient_id", arrive=stays.start_date, leave=stays.end_date.fill_null(still_in))
    dated = dated.filter(dated.leave > dated.arrive)
    joined = dated.join(
        month_table, (dated.arrive < month_table.night_next) & (dated.leave > month_table.night_first)
    )
    first_night = ibis.greatest(joined.arrive, joined.night_first)
    after_last = ibis.least(joined.leave, joined.night_next)
    return joined.select(
        "patient_id",
        event_date=first_night,
        value=after_last.delta(first_night, unit="day").cast("float64"),
    )


def follow_up_days(indicator: Indicator) -> int:
    """Days an event is followed for (`within_days`): a readmission starts 0 to days-1 after."""
    return int(indicator.numerator.get("within_days", 30))


def followed_months(months: Months, days: int, data_end: dt.date | None) -> list[dt.date]:
    """The months whose every event (to the month's last day) the data follows for `days` days:
    last day + days - 1 on or before `data_end`. A later month is incomplete and not reported."""
    if data_end is None:
        return []
    return [
        first
        for first, last in zip(months.firsts(), months.lasts(), strict=True)
        if last + dt.timedelta(days=days - 1) <= data_end
    ]


def readmission_events(indicator: Indicator, spell_table: ir.Table, data_end: dt.date | None) -> ir.Table:
    """Discharges (spells with an end, not excluded) with `readmitted`: an emergency admission
    starting 0 to 29 days after discharge. Only discharges the data follows for the whole window
    (discharge + 29 days on or before `data_end`, the records' last day) are given. The index
    spells are the live discharges: the cells count these with `living` (the person's death after
    the discharge day), where the people are joined anyway."""
    window = follow_up_days(indicator)
    excluded = indicator.codes("excluded")
    spells_ = spell_table.filter(
        spell_table.end_date.notnull() & ~_code_match(spell_table.primary_code, excluded)
    )
    last_judged = (data_end or dt.date.min + dt.timedelta(days=window)) - dt.timedelta(days=window - 1)
    index = spells_.filter(spells_.end_date <= ibis.literal(last_judged))
    later = spells_.filter(spells_.emergency).select(
        later_id=spells_.encounter_id, later_patient=spells_.patient_id, later_start=spells_.start_date
    )
    pairs = index.join(
        later,
        (index.patient_id == later.later_patient)
        & (later.later_id != index.encounter_id)
        & (later.later_start >= index.end_date)
        & (later.later_start <= index.end_date + ibis.interval(days=window - 1)),
    )
    readmitted = pairs.select(readmitted_id=pairs.encounter_id).distinct()
    marked = index.left_join(readmitted, index.encounter_id == readmitted.readmitted_id)
    return marked.select(
        patient_id=marked.patient_id,
        event_date=marked.end_date,
        readmitted=marked.readmitted_id.notnull(),
    )

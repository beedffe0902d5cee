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
from icp.stratify import comorbidity, frailty
from icp.stratify.events import Tables, matched_events, population

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
) -> ir.Table:
    """Events (patient_id, event_date[, value, flag]) → cells: numerator (sum of the values of the
    flagged events), events (all events) and sum_squares (of the flagged values)."""
    joined = events.join(persons, events.patient_id == persons.patient_id)
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


def population_cells(persons: ir.Table, months: Months) -> ir.Table:
    """People alive and registered on each month's 15th, by cell: (keys…, population)."""
    month_table = months.table()
    crossed = persons.cross_join(month_table)
    alive = (crossed.birth_date <= crossed.month_mid) & (
        crossed.death_date.isnull() | (crossed.death_date > crossed.month_mid)
    )
    crossed = crossed.filter(alive)
    age = age_on(crossed.birth_date, crossed.month_mid)
    rows = crossed.select(
        "period", "icp", "practice_code", "deprivation_quintile", "sex", age_band=age_band(age)
    )
    return rows.group_by(list(KEYS)).aggregate(population=rows.count().cast("float64"))


def population_rate_events(indicator: Indicator, tables: Tables, spell_table: ir.Table) -> ir.Table:
    """The numerator events of a population rate: (patient_id, event_date, value)."""
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
        stay = chosen.end_date.delta(chosen.start_date, unit="day").fill_null(0)
        return chosen.select(
            "patient_id", event_date=chosen.start_date, value=ibis.greatest(stay, 0).cast("float64")
        )
    return chosen.select("patient_id", event_date=chosen.start_date, value=ibis.literal(1.0))


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


def readmission_events(
    indicator: Indicator, spell_table: ir.Table, persons: ir.Table, data_end: dt.date | None
) -> ir.Table:
    """Index spells (live discharges, not excluded) with `readmitted`: an emergency admission
    starting 0 to 29 days after discharge. Only discharges the data follows for the whole window
    (discharge + 29 days on or before `data_end`, the records' last day) are index spells."""
    window = follow_up_days(indicator)
    excluded = indicator.codes("excluded")
    deaths = persons.select(death_patient=persons.patient_id, death_date=persons.death_date)
    spells_ = spell_table.filter(
        spell_table.end_date.notnull() & ~_code_match(spell_table.primary_code, excluded)
    )
    index = spells_.left_join(deaths, spells_.patient_id == deaths.death_patient)
    last_judged = (data_end or dt.date.min + dt.timedelta(days=window)) - dt.timedelta(days=window - 1)
    index = index.filter(
        (index.death_date.isnull() | (index.death_date > index.end_date))
        & (index.end_date <= ibis.literal(last_judged))
    )
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


def score_states(tables: Tables, dates: Sequence[dt.date], persons: ir.Table) -> ir.Table:
    """For each score date: everyone alive's eFI category and diabetes / palliative care
    registers, computed with stratify's own functions (not read from an earlier run)."""
    matched = matched_events(tables, max(dates))
    parts = []
    for day in dates:
        on_day = matched.filter(matched.event_date <= ibis.literal(day))
        alive = population(tables, day)
        alive = alive.semi_join(persons, alive.patient_id == persons.patient_id)
        # The eFI is built and validated for people 65 and over: only they are scored.
        older = alive.filter(alive.age >= frailty.EFI_MINIMUM_AGE)
        efi = frailty.efi_with_polypharmacy(
            older, frailty.efi(tables, day, on_day), frailty.medicines_12m(tables, day)
        ).select(efi_patient="patient_id", efi_category="efi_category")
        registers = comorbidity.registers(on_day)
        joined = alive.left_join(registers, alive.patient_id == registers.patient_id)
        joined = joined.left_join(efi, joined.patient_id == efi.efi_patient)
        parts.append(
            joined.select(
                score_date=ibis.literal(day),
                score_patient=joined.patient_id,
                efi_category=joined.efi_category.fill_null("not scored"),
                diabetes=joined[comorbidity.register_column("diabetes")].fill_null(False),
                palliative_care=joined[comorbidity.register_column("palliative_care")].fill_null(False),
            )
        )
    return ibis.union(*parts, distinct=False)

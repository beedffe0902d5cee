"""Indicators over a state people are in month by month, from the scores stratify computes: the
moderately or severely frail with a care plan, the end of life register with an advance care plan
(snapshots on each month's last day), and major amputations among people with diabetes (pooled
over three years). Ibis expressions, on DuckDB or Spark alike; cells as in `cells.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from icp.measure.indicators import cells as c
from icp.measure.indicators.definition import Indicator
from icp.stratify import codelists, comorbidity, frailty
from icp.stratify.events import Tables, matched_events, population, years_before

POOLED_MONTHS = 36


def score_states(
    tables: Tables,
    dates: Sequence[dt.date],
    persons: ir.Table,
    *,
    registers: Sequence[str],
    efi_categories: Sequence[str],
) -> ir.Table:
    """For each score date, the people alive then who are on one of `registers` or whose eFI
    category is one of `efi_categories` (the only states an indicator asks about), with their eFI
    category and a column for each of `registers`, computed with stratify's own functions (not read
    from an earlier run).

    The coded events are read once, up to the last date, and kept by the engine (the eFI's and the
    asked-for registers' only); the people scored are joined to `persons` once and kept, for every
    date to read. An eFI deficit is present on a day when its earliest record is on or before it,
    so each person's deficits are kept at their earliest record only (the same eFI on every date,
    from far fewer rows); register records are kept whole (a register needs the latest code and the
    latest resolution). Only the registers asked for are matched, and only the people who could be
    in a state asked about are scored: those on one of the registers' codes, or with enough eFI
    deficits by the last date to reach one of the categories (`efi_deficits_needed`, less one for
    polypharmacy)."""
    matched = matched_events(tables, max(dates))
    # The coded records (conditions, observations, procedures: the largest tables read here) are
    # read once, kept as the eFI and asked-for register events only; all else comes from these.
    asked = (matched.list == "register") & matched.key.isin(list(registers))
    matched = c.kept(matched.filter((matched.list == "efi") | asked))
    # Only people 65 or over on some score date are scored for frailty: only their deficits are read.
    oldest_birth = years_before(max(dates), frailty.EFI_MINIMUM_AGE)
    elders = persons.filter(persons.birth_date <= ibis.literal(oldest_birth)).select(elder_id="patient_id")
    efi_events = matched.filter(matched.list == "efi")
    efi_events = efi_events.semi_join(elders, efi_events.patient_id == elders.elder_id)
    earliest = efi_events.group_by(["patient_id", "list", "key", "role"]).aggregate(
        event_date=efi_events.event_date.min()
    )
    # Only people who could be in one of `efi_categories` on some date are scored: those with
    # enough coded deficits by the last date (polypharmacy, from the medicines, may add one).
    # Categories reached with one deficit or none would need everyone: then nobody is left out.
    needed = efi_deficits_needed(efi_categories)
    narrowed = needed is None or needed >= 2
    if needed is None:
        earliest = earliest.filter(ibis.literal(False))
    elif narrowed:
        coded = earliest.filter(earliest.key != "polypharmacy")
        counts = coded.group_by(candidate_id=coded.patient_id).aggregate(deficits=coded.key.nunique())
        candidates = counts.filter(counts.deficits >= needed - 1)
        earliest = earliest.semi_join(candidates, earliest.patient_id == candidates.candidate_id)
    register_events = matched.filter(matched.list == "register")
    events = c.kept(
        ibis.union(
            earliest.select("patient_id", "list", "key", "role", "event_date"),
            register_events.select("patient_id", "list", "key", "role", "event_date"),
            distinct=False,
        )
    )
    # `view()`: with linked records `by_person` hands over the tables as joins, which Ibis will
    # not extend with another join; a view of each is a relation of its own.
    patient, medication = tables["patient"].view(), tables["medication"]
    # Only the people measured are scored: joined to them once here, not at every score date.
    patient = patient.semi_join(persons, patient.patient_id == persons.patient_id)
    if narrowed:
        # Everyone else is in none of the states asked about on any date: stratify's functions
        # are given only these people (the same scores, from far fewer rows).
        wanted = c.kept(events.select(wanted_id=events.patient_id).distinct())
        patient = patient.semi_join(wanted, patient.patient_id == wanted.wanted_id)
        medication = medication.view()
        medication = medication.semi_join(wanted, medication.patient_id == wanted.wanted_id)
    score_tables = {
        **tables,
        # Read at every score date: kept by the engine once, with the columns `population` reads.
        "patient": c.kept(
            patient.select(
                "patient_id",
                "icp",
                "practice_code",
                "sex",
                "birth_date",
                "death_date",
                "deprivation_quintile",
                "synthetic",
            )
        ),
        # Read at every score date: kept by the engine once, with the columns read.
        "medication": c.kept(
            medication.select("patient_id", "code_system", "code", "status", "start_date", "end_date")
        ),
    }
    parts = []
    for day in dates:
        on_day = events.filter(events.event_date <= ibis.literal(day))
        alive = population(score_tables, day)
        # The eFI is built and validated for people 65 and over: only they are scored.
        older = alive.filter(alive.age >= frailty.EFI_MINIMUM_AGE)
        efi = frailty.efi_with_polypharmacy(
            older, frailty.efi(score_tables, day, on_day), frailty.medicines_12m(score_tables, day)
        )
        efi = efi.filter(efi.efi_category.isin(list(efi_categories) or ["-"]))
        efi = efi.select(efi_patient="patient_id", efi_category="efi_category")
        on_registers = comorbidity.registers(on_day)
        listed = ibis.literal(False)
        for name in registers:
            listed |= on_registers[comorbidity.register_column(name)]
        on_registers = on_registers.filter(listed)
        wanted = ibis.union(
            efi.select(wanted_id=efi.efi_patient),
            on_registers.select(wanted_id=on_registers.patient_id),
            distinct=True,
        )
        chosen = alive.semi_join(wanted, alive.patient_id == wanted.wanted_id).select("patient_id")
        joined = chosen.left_join(on_registers, chosen.patient_id == on_registers.patient_id)
        joined = joined.left_join(efi, joined.patient_id == efi.efi_patient)
        parts.append(
            joined.select(
                score_date=ibis.literal(day),
                score_patient=joined.patient_id,
                efi_category=joined.efi_category.fill_null("not scored"),
                **{name: joined[comorbidity.register_column(name)].fill_null(False) for name in registers},
            )
        )
    return ibis.union(*parts, distinct=False)


def efi_deficits_needed(categories: Sequence[str]) -> int | None:
    """The fewest of the 36 deficits whose eFI is in one of `categories` (as stratify bands it:
    the first band containing the score), or None when no count is."""
    bands = codelists.bands("efi")
    for deficits in range(frailty.EFI_DEFICIT_COUNT + 1):
        score = deficits / float(frailty.EFI_DEFICIT_COUNT)
        band = next((band for band in bands if band.contains(score)), None)
        if band is not None and band.category in categories:
            return deficits
    return None


def snapshot_cells(
    definition: Indicator, tables: Tables, persons: ir.Table, months: c.Months, states: ir.Table
) -> ir.Table:
    """Cells of a snapshot or of the pooled amputation rate (`score_states` gives the states)."""
    if definition.measure == "amputation":
        eligible = states.filter(states[definition.denominator["register"]])
    elif "efi_categories" in definition.denominator:
        eligible = states.filter(states.efi_category.isin(list(definition.denominator["efi_categories"])))
    else:
        eligible = states.filter(states[definition.denominator["register"]])
    month_table = months.table()
    monthly = eligible.join(month_table, eligible.score_date == month_table.score_date)
    # Each month's last day, for as long as the person lives (`living` in the cells): the people
    # are joined once, where the cells are counted.
    monthly = monthly.select(patient_id=monthly.score_patient, event_date=monthly.month_last)
    if definition.measure == "amputation":
        procedure = tables["procedure"]
        codes = definition.codes(definition.numerator["procedures"]["list"])
        normalised = procedure.code.upper().replace(".", "").strip()
        done = procedure.filter(procedure.performed_date.notnull() & c._code_match(normalised, codes))
        diabetic = eligible.select(diabetic_id=eligible.score_patient).distinct()
        done = done.semi_join(diabetic, done.patient_id == diabetic.diabetic_id)
        events = done.select("patient_id", event_date=done.performed_date, value=ibis.literal(1.0))
        numerator = c._cells(definition, events, persons, months, value="value")
        register = c._cells(definition, monthly, persons, months, living=True)
        people = register.select(*c.KEYS, denominator=register.events)
        return pooled(c.combined(numerator, people), months, POOLED_MONTHS)
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
    return c.counted(c._cells(definition, flagged, persons, months, denominator="has_plan", living=True))


def pooled(cells: ir.Table, months: c.Months, window: int) -> ir.Table:
    """Each month's cells over the `window` months ending with it: the numerator summed and the
    denominator averaged over the window's months (a month without a row counts 0) times
    window / 12, i.e. person-years. Months before the first whole window have no row.

    Summed as a moving window over each cell's months, not by copying every cell into each of the
    `window` windows it falls in (about 36 times the cells): every cell key is given every month
    (a month without a cell adds 0), and a window with no cell in it has no row. The counts are
    whole numbers, so the sums are exact and the same as adding them up window by window."""
    firsts = months.firsts()
    numbered = ibis.memtable(
        pa.table(
            {
                "pool_month": pa.array(range(len(firsts)), pa.int64()),
                "pool_period": pa.array(firsts, pa.date32()),
            }
        )
    )
    others = [key for key in c.KEYS if key != "period"]
    indexed = cells.join(numbered, cells.period == numbered.pool_period)
    indexed = indexed.select(
        *others,
        month=indexed.pool_month,
        numerator=indexed.numerator.cast("float64"),
        denominator=indexed.denominator.cast("float64"),
    )
    grid = indexed.select(*others).distinct().cross_join(numbered)
    joined = grid.left_join(
        indexed, [*[grid[key] == indexed[key] for key in others], grid.pool_month == indexed.month]
    )
    joined = joined.select(
        *[joined[key] for key in others],
        pool_month=joined.pool_month,
        pool_period=joined.pool_period,
        present=joined.month.notnull().cast("int64"),
        numerator=joined.numerator.fill_null(0.0),
        denominator=joined.denominator.fill_null(0.0),
    )
    moving = ibis.window(group_by=others, order_by="pool_month", preceding=window - 1, following=0)
    summed = joined.mutate(
        cells_in_window=joined.present.sum().over(moving),
        numerator_sum=joined.numerator.sum().over(moving),
        denominator_sum=joined.denominator.sum().over(moving),
    )
    summed = summed.filter((summed.pool_month >= window - 1) & (summed.cells_in_window > 0))
    return summed.select(
        summed.pool_period.name("period"),
        *others,
        numerator=summed.numerator_sum,
        # The window's average times window / 12 years: the sum over 12, exactly.
        denominator=summed.denominator_sum / 12.0,
        sum_squares=ibis.literal(0.0),
    )

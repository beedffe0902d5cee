"""From cells to the published tables: roll-ups, rates with 95% intervals, indirectly age-sex
standardised ratios, and disclosure control (`measure.disclosure`) on everything that leaves.

The roll-ups (`rolled`) are Ibis expressions summed on the engine that holds the cells; the few
thousand rows they give are finished in pandas (intervals, ratios, disclosure control).

Intervals come from maintained libraries: exact Poisson (statsmodels `confint_poisson`,
"exact-c", Garwood's) for rates, Wilson (statsmodels `proportion_confint`) for proportions, and
Student's t (scipy) for means. Standardised ratios are observed / expected x 100, the expected count
being each cell's population times the rate of the same period, age band and sex across every
ICP in the run (Northern Ireland when all 17 are in the warehouse), with the exact Poisson
interval of the observed count divided by the expected.

The published rate and interval are derived from the disclosed (rounded) counts, never the true
ones, so the true counts cannot be worked back from them.

A year row is a whole financial year: every one of its twelve months reported (a snapshot's year,
its 31 March). A part-year would read as a year's rate and be short by the months missing, so a
run that starts or ends mid-year, or a follow-up indicator whose last month is not yet complete,
publishes those months in the monthly tables only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from icp.measure.disclosure import disclose_table
from icp.measure.indicators.cells import banded_scope
from icp.measure.indicators.definition import Indicator
from icp.stratify.execute import to_arrow

TABLES = {
    "month_icp": ("period", ["icp"]),
    "month_practice": ("period", ["icp", "practice_code"]),
    "year_icp_quintile": ("year", ["icp", "deprivation_quintile"]),
    "year_icp_age_sex": ("year", ["icp", "age_band", "sex"]),
}
COLUMNS = [
    "indicator",
    "period",
    "icp",
    "practice_code",
    "deprivation_quintile",
    "age_band",
    "sex",
    "numerator",
    "denominator",
    "rate",
    "ci_low",
    "ci_high",
    "expected",
    "standardised_ratio",
    "sr_ci_low",
    "sr_ci_high",
    "suppressed",
    "unit",
    "synthetic",
]


def poisson_interval(count: npt.ArrayLike, exposure: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    count = np.asarray(count, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    low, high = confint_poisson(
        np.nan_to_num(count), np.where(exposure > 0, exposure, np.nan), method="exact-c"
    )
    return np.asarray(low, float), np.asarray(high, float)


def add_rates(frame: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """rate, ci_low and ci_high from numerator, denominator (and sum_squares for means)."""
    frame = frame.copy()
    numerator = frame["numerator"].to_numpy(dtype=float)
    denominator = frame["denominator"].to_numpy(dtype=float)
    valid = denominator > 0
    scale = indicator.multiplier
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(valid, numerator / denominator, np.nan)
        if indicator.interval == "wilson":
            low, high = proportion_confint(
                np.where(valid, numerator, 0), np.where(valid, denominator, 1), alpha=0.05, method="wilson"
            )
        elif indicator.interval == "byar":
            low, high = poisson_interval(numerator, denominator)
        else:
            squares = frame.get("sum_squares", pd.Series(np.nan, index=frame.index)).to_numpy(dtype=float)
            variance = (squares - denominator * rate**2) / np.maximum(denominator - 1, 1)
            half = stats.t.ppf(0.975, np.maximum(denominator - 1, 1)) * np.sqrt(
                np.maximum(variance, 0) / denominator
            )
            low, high = rate - half, rate + half
    frame["rate"] = rate * scale
    frame["ci_low"] = np.where(valid, np.asarray(low, float) * scale, np.nan)
    frame["ci_high"] = np.where(valid, np.asarray(high, float) * scale, np.nan)
    return frame


def with_expected(cells: ir.Table) -> ir.Table:
    """The cells with their expected count: denominator x the rate of the same month, age band
    and sex across every ICP in the cells (indirect standardisation). A month's reference does not
    depend on which other months are kept, so it can be added once before any roll-up."""
    by = ["period", "age_band", "sex"]
    reference = cells.group_by(by).aggregate(
        reference_numerator=cells.numerator.sum(), reference_denominator=cells.denominator.sum()
    )
    joined = cells.join(reference, by)
    rate = (joined.reference_denominator > 0).ifelse(
        joined.reference_numerator / joined.reference_denominator, 0.0
    )
    return joined.mutate(expected=joined.denominator * rate).drop(
        "reference_numerator", "reference_denominator"
    )


def rolled(
    cells: ir.Table | pd.DataFrame,
    indicator: Indicator,
    table: str,
    *,
    periods: Sequence[dt.date] | None = None,
) -> pd.DataFrame:
    """One published table (before disclosure): sums of cells over the table's keys, on the
    engine the cells are on (a pandas frame is summed by DuckDB in-process); only the sums come
    back, as a pandas frame.

    `periods` are the months the indicator reports (by default those the cells hold); a year
    table keeps only the financial years they cover whole (`whole_years`). With indirect
    standardisation, each cell's expected count is its denominator times the rate of its month,
    age band and sex across every ICP in the cells; a population's year is the average of its
    months (person-years)."""
    if isinstance(cells, pd.DataFrame):
        cells = ibis.memtable(cells)
    time, keys = TABLES[table]
    standardise = indicator.standardisation == "indirect_age_sex"
    snapshot = indicator.measure in ("snapshot", "amputation")
    if periods is None:
        found = to_arrow(cells.select("period").distinct()).column("period").to_pylist()
        periods = sorted(day.date() if isinstance(day, dt.datetime) else day for day in found)
    frame = _labelled(cells, periods, snapshot=snapshot) if time == "year" else cells
    if standardise and "expected" not in frame.columns:
        frame = with_expected(frame)
    return _finished(_summed(frame, [time, *keys], standardise=standardise), indicator, table)


def _summed(frame: ir.Table, by: list[str], *, standardise: bool) -> ir.Table:
    """The sums a published row is made from, and the months it counts."""
    sums = {
        "numerator": frame.numerator.sum(),
        "denominator": frame.denominator.sum(),
        "sum_squares": frame.sum_squares.sum(),
        "months": frame.period.nunique(),
    }
    if standardise:
        sums["expected"] = frame.expected.sum()
    return frame.group_by(by).aggregate(**sums)


def _finished(grouped: ir.Table, indicator: Indicator, table: str) -> pd.DataFrame:
    """A table's sums brought into pandas: a population's year averaged, periods as dates, sorted."""
    time, keys = TABLES[table]
    result = to_arrow(grouped).to_pandas()
    if indicator.measure == "population_rate" and time == "year":
        # A year's population is the average of its months' populations (person-years).
        result["denominator"] = (result["denominator"] / result["months"]).round()
    result = result.rename(columns={time: "period"})
    if time == "period":
        result["period"] = pd.to_datetime(result["period"]).dt.date
    return result.sort_values(["period", *keys], kind="stable").reset_index(drop=True)


def _labelled(frame: ir.Table, periods: Sequence[dt.date], *, snapshot: bool) -> ir.Table:
    """The rows of the whole financial years `periods` cover, each with its `year`."""
    whole = whole_years(periods, snapshot=snapshot)
    chosen = [m for m in periods if _financial_year(m) in whole and (not snapshot or m.month == 3)]
    labels = ibis.memtable(
        pa.table(
            {
                "label_period": pa.array(chosen, pa.date32()),
                "year": pa.array([_financial_year(m) for m in chosen], pa.string()),
            }
        )
    )
    return frame.join(labels, frame.period == labels.label_period).drop("label_period")


def population_rolls(population: ir.Table) -> dict[str, ir.Table]:
    """The population cells summed to each published table's keys with the month, age band and
    sex kept (the keys of an indirectly standardised expected count): (period, keys…, age_band,
    sex, population). Every population rate is rolled up from these (`rate_rolled`), so the
    population is summed once, not once per indicator."""
    rolls = {}
    for table, (_time, keys) in TABLES.items():
        by = list(dict.fromkeys(["period", *keys, "age_band", "sex"]))
        rolls[table] = population.group_by(by).aggregate(population=population.population.sum())
    return rolls


def rate_rolled(
    numerator: ir.Table,
    rolls: dict[str, ir.Table],
    indicator: Indicator,
    table: str,
    *,
    periods: Sequence[dt.date],
) -> pd.DataFrame:
    """A population rate's table, as `rolled` gives it from the indicator's cells (its numerator
    cells combined with the population in its scope), summed instead from the numerator cells
    (KEYS…, numerator, sum_squares) and the population already rolled up (`population_rolls`):
    the same sums, without combining a million population cells with each indicator's numerator.

    A cell's expected count is its population times the rate of its month, age band and sex, so a
    table row's expected count is the sum of its (month, age band, sex) populations times those
    rates; the months a row counts (for a year's average population) are those with a cell,
    numerator or population."""
    time, keys = TABLES[table]
    chosen = [ibis.literal(month, "date") for month in periods]

    def scoped(rolled_population: ir.Table) -> ir.Table:
        rows = rolled_population.filter(
            rolled_population.period.isin(chosen) if chosen else ibis.literal(False)
        )
        return banded_scope(indicator, rows)

    events = numerator.filter(numerator.period.isin(chosen) if chosen else ibis.literal(False))
    population = scoped(rolls[table])
    standardise = indicator.standardisation == "indirect_age_sex"
    if standardise:
        by = ["period", "age_band", "sex"]
        # The reference: every ICP's events and population in the scope, by month, band and sex.
        reference_population = scoped(rolls["year_icp_age_sex"])
        parts = ibis.union(
            events.select(*by, reference_numerator=events.numerator, reference_denominator=ibis.literal(0.0)),
            reference_population.select(
                *by,
                reference_numerator=ibis.literal(0.0),
                reference_denominator=reference_population.population,
            ),
            distinct=False,
        )
        reference = parts.group_by(by).aggregate(
            reference_numerator=parts.reference_numerator.sum(),
            reference_denominator=parts.reference_denominator.sum(),
        )
        joined = population.join(reference, by)
        rate = (joined.reference_denominator > 0).ifelse(
            joined.reference_numerator / joined.reference_denominator, 0.0
        )
        population = joined.select(*population.columns, expected=joined.population * rate)
    else:
        population = population.mutate(expected=ibis.literal(0.0))
    if time == "year":
        events = _labelled(events, periods, snapshot=False)
        population = _labelled(population, periods, snapshot=False)
    group = list(dict.fromkeys([time, *keys, "period"]))
    combined = ibis.union(
        events.select(
            *group,
            numerator=events.numerator.cast("float64"),
            denominator=ibis.literal(0.0),
            sum_squares=events.sum_squares.cast("float64"),
            expected=ibis.literal(0.0),
        ),
        population.select(
            *group,
            numerator=ibis.literal(0.0),
            denominator=population.population.cast("float64"),
            sum_squares=ibis.literal(0.0),
            expected=population.expected.cast("float64"),
        ),
        distinct=False,
    )
    return _finished(_summed(combined, [time, *keys], standardise=standardise), indicator, table)


def _financial_year(day: dt.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def whole_years(periods: Sequence[dt.date], *, snapshot: bool) -> set[str]:
    """The financial years `periods` (first days of months) cover whole: all twelve months, or for
    a snapshot, its March."""
    days = sorted(set(periods))
    if snapshot:
        return {_financial_year(day) for day in days if day.month == 3}
    counts: dict[str, int] = {}
    for day in days:
        counts[_financial_year(day)] = counts.get(_financial_year(day), 0) + 1
    return {year for year, months in counts.items() if months == 12}


def standardised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    observed = frame["numerator"].to_numpy(dtype=float)
    expected = frame["expected"].to_numpy(dtype=float)
    valid = expected > 0
    low, high = poisson_interval(observed, np.where(valid, expected, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["standardised_ratio"] = np.where(valid, 100.0 * observed / expected, np.nan)
    frame["sr_ci_low"] = np.where(valid, 100.0 * low, np.nan)
    frame["sr_ci_high"] = np.where(valid, 100.0 * high, np.nan)
    return frame


def publish(
    cells: ir.Table | pd.DataFrame,
    indicator: Indicator,
    table: str,
    *,
    synthetic: bool,
    periods: Sequence[dt.date] | None = None,
) -> pd.DataFrame:
    """The published, disclosure-controlled table for one indicator (`periods`: see `rolled`)."""
    return disclosed(rolled(cells, indicator, table, periods=periods), indicator, synthetic=synthetic)


def disclosed(frame: pd.DataFrame, indicator: Indicator, *, synthetic: bool) -> pd.DataFrame:
    """A rolled-up table (`rolled`, `rate_rolled`) as published: counts disclosure-controlled, and
    the rates, intervals and standardised ratios derived from the disclosed counts."""
    # Sums of fractions (person-years) on a parallel engine differ in their last bits from run to
    # run: rounded to 6 places first, a count on .5 is rounded the same way every time.
    frame["numerator"] = frame["numerator"].round(6).round()
    frame["denominator"] = frame["denominator"].round(6).round()
    derived = ["rate", "ci_low", "ci_high"]
    if "expected" in frame.columns:
        derived += ["standardised_ratio", "sr_ci_low", "sr_ci_high"]
        # The expected count is a model figure, not a count of people: shown to one decimal.
        frame["expected"] = frame["expected"].round(1)

    def derive(rows: pd.DataFrame) -> pd.DataFrame:
        rows = add_rates(rows.astype({"numerator": float, "denominator": float}), indicator)
        if "expected" in rows.columns:
            rows = standardised(rows)
        return rows

    if indicator.measure == "referral_days":
        # The numerator is a total of days, not of people: only the referral count is controlled.
        frame = add_rates(frame, indicator)
        frame = disclose_table(frame, counts=("denominator",), derived=derived)
        frame.loc[frame["suppressed"], "numerator"] = np.nan
    else:
        frame = disclose_table(frame, counts=("numerator", "denominator"), derived=derived, derive=derive)
    frame["indicator"] = indicator.id
    frame["unit"] = indicator.unit
    frame["synthetic"] = synthetic
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    frame["period"] = frame["period"].astype(str)
    return frame[COLUMNS]

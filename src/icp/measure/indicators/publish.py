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
    frame = cells
    if time == "year":
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
        frame = frame.join(labels, frame.period == labels.label_period).drop("label_period")
    if standardise and "expected" not in frame.columns:
        frame = with_expected(frame)
    sums = {
        "numerator": frame.numerator.sum(),
        "denominator": frame.denominator.sum(),
        "sum_squares": frame.sum_squares.sum(),
        "months": frame.period.nunique(),
    }
    if standardise:
        sums["expected"] = frame.expected.sum()
    grouped = frame.group_by([time, *keys]).aggregate(**sums)
    result = to_arrow(grouped).to_pandas()
    if indicator.measure == "population_rate" and time == "year":
        # A year's population is the average of its months' populations (person-years).
        result["denominator"] = (result["denominator"] / result["months"]).round()
    result = result.rename(columns={time: "period"})
    if time == "period":
        result["period"] = pd.to_datetime(result["period"]).dt.date
    return result.sort_values(["period", *keys], kind="stable").reset_index(drop=True)


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
    frame = rolled(cells, indicator, table, periods=periods)
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

"""From cells to the published tables: roll-ups, rates with 95% intervals, indirectly age-sex
standardised ratios, and disclosure control (`measure.disclosure`) on everything that leaves.

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

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from icp.measure.disclosure import disclose_table
from icp.measure.indicators.definition import Indicator

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


def financial_year(period: pd.Series) -> pd.Series:
    dates = pd.to_datetime(period)
    start = pd.Series(np.where(dates.dt.month >= 4, dates.dt.year, dates.dt.year - 1), index=period.index)
    return start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)


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


def _with_reference(cells: pd.DataFrame, time: str) -> pd.DataFrame:
    """Expected counts: each cell's denominator x the all-ICP rate of its time, age band and sex."""
    keys = [time, "age_band", "sex"]
    reference = cells.groupby(keys, as_index=False)[["numerator", "denominator"]].sum()
    reference["reference_rate"] = reference["numerator"] / reference["denominator"].where(
        reference["denominator"] > 0
    )
    merged = cells.merge(reference[[*keys, "reference_rate"]], on=keys, how="left")
    merged["expected"] = merged["denominator"] * merged["reference_rate"].fillna(0.0)
    return merged.drop(columns="reference_rate")


def whole_years(periods: Sequence[dt.date], *, snapshot: bool) -> set[str]:
    """The financial years `periods` (first days of months) cover whole: all twelve months, or for
    a snapshot, its March."""
    if not len(periods):
        return set()
    days = pd.Series(pd.to_datetime(list(periods))).drop_duplicates()
    years = financial_year(days)
    if snapshot:
        return set(years[days.dt.month == 3])
    counts = years.value_counts()
    return set(counts[counts == 12].index)


def rolled(
    cells: pd.DataFrame, indicator: Indicator, table: str, *, periods: Sequence[dt.date] | None = None
) -> pd.DataFrame:
    """One published table (before disclosure): sums of cells over the table's keys.

    `periods` are the months the indicator reports (by default those the cells hold); a year
    table keeps only the financial years they cover whole (`whole_years`)."""
    time, keys = TABLES[table]
    frame = cells.copy()
    frame["year"] = financial_year(frame["period"])
    frame["months"] = 1
    standardise = indicator.standardisation == "indirect_age_sex"
    snapshot = indicator.measure in ("snapshot", "amputation")
    if time == "year":
        reported = sorted(frame["period"].unique()) if periods is None else list(periods)
        frame = frame[frame["year"].isin(whole_years(reported, snapshot=snapshot))]
    if time == "year" and snapshot:
        # A snapshot's year is its last month (31 March).
        last = frame.groupby("year")["period"].transform("max")
        frame = frame[frame["period"] == last]
    if standardise:
        frame = _with_reference(frame, "period")
    sums = ["numerator", "denominator", "sum_squares", "months"] + (["expected"] if standardise else [])
    grouped = frame.groupby([time, *keys], as_index=False, dropna=False)[sums].sum()
    if indicator.measure == "population_rate" and time == "year":
        # A year's population is the average of its months' populations (person-years).
        months = frame.groupby([time, *keys], as_index=False, dropna=False)["period"].nunique()
        grouped["denominator"] = grouped["denominator"] / months["period"].to_numpy()
        grouped["denominator"] = grouped["denominator"].round()
        if standardise:
            grouped["expected"] = grouped["expected"]  # events over the year: no division
    grouped = grouped.rename(columns={time: "period"})
    return grouped


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
    cells: pd.DataFrame,
    indicator: Indicator,
    table: str,
    *,
    synthetic: bool,
    periods: Sequence[dt.date] | None = None,
) -> pd.DataFrame:
    """The published, disclosure-controlled table for one indicator (`periods`: see `rolled`)."""
    frame = rolled(cells, indicator, table, periods=periods)
    frame["numerator"] = frame["numerator"].round()
    frame["denominator"] = frame["denominator"].round()
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

"""Statistical process control (SPC): XmR charts as NHS England's Making Data Count codes them.

A port of NHSRplotthedots (NHS-R Community, MIT licence), `ptd_spc(..., screen_outliers = FALSE)`:
`R/ptd_spc_standard.R` (mean, moving range, limits), `R/ptd_calculate_point_type.R` (special
causes), `R/ptd_calculate_assurance_type.R` and `R/geom_ptd_icon.R` (the two icons), read at commit
050b07d7eacc011767532732f69b8fd7d6a28fd3 of github.com/nhs-r-community/NHSRplotthedots. The same
numbers and the same flags, so a chart here reads as the NHS England tool's would:

- mean and mean moving range of the points (of the first ``baseline`` points only, when given, as
  ``fix_after_n_points``), process limits at mean ± 2.66 times the mean moving range, computed afresh in
  each period that a rebase date starts;
- special causes, in this precedence: a point outside the limits; a run of 7 points all rising or
  all falling (named by the direction of the run); 2 of 3 consecutive points beyond the two-thirds
  line on one side of the mean (only those close points flagged); 7 or more consecutive points on
  one side of the mean (all flagged);
- the improvement direction makes each special cause an improvement, a concern or neutral; the
  variation icon is that of the last point; the assurance icon (with a target) compares the target
  with the last period's limits;
- a period of fewer than 12 points has trial limits;
- screening moving ranges above 3.267 times their mean (as the NHS England spreadsheet offers) is
  available and off by default, as the issue and the Making Data Count tool have it.

Vectorised over numpy arrays; a period is a handful of slices, not a loop over points.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

Improvement = Literal["up", "down", "neutral"]
IMPROVEMENTS: tuple[Improvement, ...] = ("up", "down", "neutral")
LIMIT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
CLOSE = 2 * LIMIT / 3  # the two-thirds line ("close to the limits")
SCREEN = 3.267  # D4 for moving ranges of two points: the upper limit of the moving range chart
TRIAL_BELOW = 12  # periods with fewer points have trial limits
MIN_BASELINE = 12  # as NHSRplotthedots: fix_after_n_points must be at least 12
RUN = 7  # points in a trend, or on one side of the mean

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


class SpcError(ValueError):
    """Options or data that cannot make a chart (a bad baseline, a repeated date, a missing value)."""


@dataclass(frozen=True)
class SpcChart:
    """One XmR chart: a row per point (in date order) and the chart's two icons.

    ``points`` has the columns date, value, period (0, then 1 after the first rebase, ...), mean,
    lower, upper, outside_limits, close_to_limits, relative_to_mean (-1, 0, 1),
    special_cause_type (NHSRplotthedots' words, e.g. "2 in 3 Above CL"), point_type
    (NHSRplotthedots' `point_type`, e.g. "special_cause_improvement"), special_cause
    ("improvement", "concern", "neutral" or None) and trial_limits.
    """

    points: pd.DataFrame
    improvement: Improvement
    target: float | None
    variation: str | None  # the icon: common_cause, improvement_high, concern_low, neutral_high, ...
    assurance: str | None  # consistent_pass, consistent_fail, inconsistent; None without a target

    def as_json(self) -> dict[str, Any]:
        """The chart as `icp spc --json` writes it."""
        rows = [
            {
                "date": point.date.isoformat(),
                "value": _number(point.value),
                "mean": _number(point.mean),
                "lower": _number(point.lower),
                "upper": _number(point.upper),
                "special_cause": point.special_cause,
            }
            for point in self.points.itertuples(index=False)
        ]
        return {"points": rows, "variation": self.variation, "assurance": self.assurance}

    def to_json(self) -> str:
        return json.dumps(self.as_json(), indent=2)


def _number(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def spc(
    dates: Sequence[date] | pd.Series,
    values: Sequence[float] | Floats | pd.Series,
    *,
    improvement: Improvement = "neutral",
    target: float | None = None,
    baseline: int | None = None,
    rebase: Iterable[date] = (),
    screen_outliers: bool = False,
) -> SpcChart:
    """The XmR chart of ``values`` over ``dates`` (any order; each date once)."""
    if improvement not in IMPROVEMENTS:
        raise SpcError(f"improvement must be one of {', '.join(IMPROVEMENTS)}, not {improvement!r}")
    if baseline is not None and baseline < MIN_BASELINE:
        raise SpcError(f"a baseline needs at least {MIN_BASELINE} points (got {baseline})")
    frame = pd.DataFrame({"date": list(dates), "value": np.asarray(values, dtype=float)})
    if frame["value"].isna().any():
        raise SpcError(f"value missing on the point dated {frame.loc[frame['value'].isna(), 'date'].iloc[0]}")
    repeated = frame["date"].duplicated()
    if repeated.any():
        raise SpcError(f"the date {frame.loc[repeated, 'date'].iloc[0]} appears more than once")
    frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    starts = frame["date"].isin(set(rebase)).to_numpy()
    frame["period"] = np.cumsum(starts)
    columns = [
        _period(group["value"].to_numpy(dtype=float), improvement, baseline, screen_outliers)
        for _period_number, group in frame.groupby("period", sort=True)
    ]
    if not columns:
        raise SpcError("a chart needs at least one point")
    for name in columns[0]:
        frame[name] = np.concatenate([c[name] for c in columns])
    # object dtype keeps None (not NaN) for common cause, as the JSON has it
    frame["special_cause"] = pd.Series([_SPECIAL_CAUSE[kind] for kind in frame["point_type"]], dtype=object)
    last = frame.iloc[-1]
    return SpcChart(
        points=frame,
        improvement=improvement,
        target=target,
        variation=variation_icon(str(last["point_type"]), improvement),
        assurance=assurance(target, float(last["lower"]), float(last["upper"]), improvement),
    )


_SPECIAL_CAUSE = {
    "common_cause": None,
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "neutral",
    "special_cause_neutral_low": "neutral",
}


def _period(
    values: Floats, improvement: Improvement, baseline: int | None, screen_outliers: bool
) -> dict[str, npt.NDArray[Any]]:
    """ptd_spc_standard and ptd_calculate_point_type for one period (between rebase dates)."""
    fixed = values[:baseline] if baseline is not None else values
    mean = float(np.mean(fixed))
    moving_ranges = np.abs(np.diff(fixed))
    mean_range = float(np.mean(moving_ranges)) if moving_ranges.size else np.nan
    if screen_outliers and moving_ranges.size:
        kept = moving_ranges[moving_ranges < SCREEN * mean_range]
        mean_range = float(np.mean(kept)) if kept.size else np.nan
    lower, upper = mean - LIMIT * mean_range, mean + LIMIT * mean_range
    near_lower, near_upper = mean - CLOSE * mean_range, mean + CLOSE * mean_range
    # With no moving range (one point) the limits are unknown and every comparison is false, as
    # NA is in R's case_when.
    outside = (values > upper) | (values < lower)
    relative = np.sign(values - mean)
    close = ~outside & ((values < near_lower) | (values > near_upper))
    kinds = special_cause_type(values, relative, close, outside)
    size = values.size
    return {
        "mean": np.full(size, mean),
        "lower": np.full(size, lower),
        "upper": np.full(size, upper),
        "outside_limits": outside,
        "relative_to_mean": relative,
        "close_to_limits": close,
        "special_cause_type": kinds,
        "point_type": point_type(kinds, improvement),
        "trial_limits": np.full(size, size < TRIAL_BELOW),
    }


def seven_point_trend(values: Floats) -> Floats:
    """1 (or -1) at the last of 7 points each higher (lower) than the one before, else 0."""
    out = np.zeros(values.size)
    if values.size < RUN:
        return out
    steps = sliding_window_view(np.sign(np.diff(values)), RUN - 1)
    out[RUN - 1 :] = np.where((steps == 1).all(axis=1), 1.0, np.where((steps == -1).all(axis=1), -1.0, 0.0))
    return out


def seven_point_one_side_mean(relative_to_mean: Floats) -> Floats:
    """1 at the last of 7 points all on the same side of the mean (none on it), else 0."""
    if relative_to_mean.size == 0:
        return np.zeros(0)
    padded = np.concatenate([np.zeros(RUN - 1), relative_to_mean])
    windows = sliding_window_view(padded, RUN)
    last = windows[:, -1]
    ends: Floats = ((windows == last[:, None]).all(axis=1) & (last != 0)).astype(float)
    return ends


def part_of_seven(ends: Floats) -> Floats:
    """1 for each point of a run of 7 whose last point is marked in ``ends`` (ptd_part_of_seven_trend)."""
    if ends.size == 0:
        return np.zeros(0)
    padded = np.concatenate([np.abs(ends) == 1, np.zeros(RUN - 1, dtype=bool)])
    marked: Floats = sliding_window_view(padded, RUN).any(axis=1).astype(float)
    return marked


def two_in_three(close_to_limits: Bools | Floats, relative_to_mean: Floats) -> Floats:
    """1 for each point in a window of 3 with at least 2 close to the limits, all 3 on one side."""
    if close_to_limits.size == 0:
        return np.zeros(0)
    close = np.concatenate([np.zeros(2), np.asarray(close_to_limits, dtype=float), np.zeros(2)])
    relative = np.concatenate([np.zeros(2), np.resize(relative_to_mean, close_to_limits.size), np.zeros(2)])
    window_hits = (sliding_window_view(close, 3).sum(axis=1) >= 2) & (
        np.abs(sliding_window_view(relative, 3).sum(axis=1)) == 3
    )
    size = close_to_limits.size
    hits: Floats = (window_hits[:size] | window_hits[1 : size + 1] | window_hits[2 : size + 2]).astype(float)
    return hits


def part_of_two_in_three(in_window: Floats, close_to_limits: Bools | Floats) -> Floats:
    """Of the points in a 2-in-3 window, only those close to the limits (ptd_part_of_two_in_three)."""
    close_points: Floats = (
        (in_window == 1) & (np.abs(np.asarray(close_to_limits, dtype=float)) == 1)
    ).astype(float)
    return close_points


def special_cause_type(
    values: Floats, relative_to_mean: Floats, close: Bools, outside: Bools
) -> npt.NDArray[Any]:
    """NHSRplotthedots' special-cause words for each point, in its precedence."""
    return classify(
        values,
        relative_to_mean,
        outside,
        trend=part_of_seven(seven_point_trend(values)),
        two_of_three=part_of_two_in_three(two_in_three(close, relative_to_mean), close),
        one_side=part_of_seven(seven_point_one_side_mean(relative_to_mean)),
    )


def classify(
    values: Floats,
    relative_to_mean: Floats,
    outside: Bools | Floats,
    *,
    trend: Floats,
    two_of_three: Floats,
    one_side: Floats,
) -> npt.NDArray[Any]:
    """The precedence of ptd_special_cause_type, given which rule marks each point."""
    size = values.size
    steps = np.sign(np.diff(values))
    # A point inside a trend takes the direction of the step after it; others the step before.
    both_in_trend = (np.append(trend[1:], 0) != 0) & (trend != 0)
    right = np.append(steps, steps[-1:]) if size > 1 else np.zeros(size)
    left = np.append(0.0, steps)
    direction = np.where(both_in_trend, right, left)
    above = relative_to_mean > 0
    side = np.where(above, "Above", "Below")
    return np.select(
        [np.asarray(outside, dtype=float) != 0, trend != 0, two_of_three != 0, one_side != 0],
        [
            np.where(relative_to_mean == 1, "Above UCL", "Below LCL"),
            np.where(direction == 1, "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)"),
            np.char.add(np.char.add("2 in 3 ", side), " CL"),
            np.char.add(np.char.add("7 Points ", side), " CL"),
        ],
        default="Common Cause",
    ).astype(object)


def point_type(kinds: npt.NDArray[Any], improvement: Improvement) -> npt.NDArray[Any]:
    """special_cause_improvement / _concern / _neutral_high / _neutral_low or common_cause."""
    words = pd.Series(kinds, dtype=object).astype(str)
    sign = np.where(
        words.str.contains("Above|Increasing"), 1, np.where(words.str.contains("Below|Decreasing"), -1, 0)
    )
    if improvement == "neutral":
        names = ["special_cause_neutral_high", "special_cause_neutral_low"]
    else:
        sign = sign * (1 if improvement == "up" else -1)
        names = ["special_cause_improvement", "special_cause_concern"]
    return np.select([sign > 0, sign < 0], names, default="common_cause").astype(object)


def variation_icon(last_point_type: str, improvement: Improvement) -> str:
    """The Making Data Count variation icon for the last point (ptd_get_icons)."""
    high_is_good = improvement == "up"
    return {
        "common_cause": "common_cause",
        "special_cause_neutral_high": "neutral_high",
        "special_cause_neutral_low": "neutral_low",
        "special_cause_concern": "concern_low" if high_is_good else "concern_high",
        "special_cause_improvement": "improvement_high" if high_is_good else "improvement_low",
    }[last_point_type]


def assurance(target: float | None, lower: float, upper: float, improvement: Improvement) -> str | None:
    """Will the process meet the target? From the last period's limits (ptd_calculate_assurance_type)."""
    if target is None or improvement == "neutral":
        return None
    if target > upper:
        return "consistent_fail" if improvement == "up" else "consistent_pass"
    if target < lower:
        return "consistent_pass" if improvement == "up" else "consistent_fail"
    return "inconsistent"

"""Disclosure control: the one place that decides how a count may leave the platform.

The rule is NHS Digital's for sub-national statistics ("Disclosure control methodology for Hospital
Episode Statistics (HES) and Emergency Care Data Set (ECDS)", NHS Digital, September 2018,
https://digital.nhs.uk/data-and-information/data-tools-and-services/data-services/hospital-episode-statistics/change-to-disclosure-control-methodology-for-hes-and-ecds-from-september-2018):

- a count of 0 is shown as 0 (it discloses no one);
- a count from 1 to 7 is suppressed: left empty, and its row marked ``suppressed``;
- every other count is rounded to the nearest 5;
- a simple value built on counts (a rate or a percentage) is suppressed when any count it rests
  on is, and otherwise computed from the *rounded* counts.

Because every shown count, totals included, is rounded, a suppressed cell can usually not be worked
out by subtracting the others from a total: the difference carries the rounding of each term. Not
always: when two or more shown parts sit at the bottom of their rounding range and the total at the
top, the bounds meet and pin the hidden cell (parts 8, 8 and a hidden 1 show as 10, 10 and a total of
15, which leaves 1 as the only value the hidden cell can take). So a breakdown published with its
total goes through ``disclose_breakdown``, which also suppresses the total when it would pin a
hidden part (secondary suppression, decided by exact interval bounds). For the same reason rates and
their intervals must be derived from the disclosed counts (``disclose_table``'s ``derive``), never
from the true ones, or the true counts could be recovered from them.

The rule is applied to everything that leaves the platform: pages, CSV downloads, reports and API
answers. Numbers used inside the platform (an SPC calculation, a model) may use the true counts.

One formula, in two vectorised forms: numpy (pandas and Arrow tables, Python integers) and Ibis
(expressions that run inside DuckDB or Spark). A test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

SUPPRESS_FROM = 1
SUPPRESS_TO = 7
ROUND_TO = 5
SUPPRESSED_TEXT = "<8"  # how a suppressed count reads on a page (empty in CSV, null in JSON)
SUPPRESSED_COLUMN = "suppressed"

Frame = TypeVar("Frame", pd.DataFrame, pa.Table)


class DisclosureError(ValueError):
    """A value that cannot be a count of people (negative or fractional)."""


def _rounded(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Nearest multiple of ROUND_TO; an integer count is never exactly half way (ROUND_TO is odd).
    return np.floor((values + ROUND_TO // 2) / ROUND_TO) * ROUND_TO


def disclose_counts(values: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Counts as they may leave the platform, and which of them were suppressed.

    Returns float values (NaN where suppressed or missing) and a boolean mask of the suppressed.
    Raises ``DisclosureError`` for a negative or fractional count.
    """
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise DisclosureError(f"counts must be numbers ({error})") from error
    known = ~np.isnan(array)
    if np.any(array[known] < 0) or np.any(array[known] != np.floor(array[known])):
        raise DisclosureError("counts of people must be whole numbers of 0 or more")
    small = known & (array >= SUPPRESS_FROM) & (array <= SUPPRESS_TO)
    shown = np.where(small | ~known, np.nan, _rounded(np.where(known, array, 0.0)))
    return shown, small


@overload
def disclose_count(count: None) -> None: ...
@overload
def disclose_count(count: int) -> int | None: ...
def disclose_count(count: int | None) -> int | None:
    """One count as it may leave the platform: None if suppressed (or unknown), else rounded to 5."""
    if count is None:
        return None
    shown, _small = disclose_counts([count])
    return None if np.isnan(shown[0]) else int(shown[0])


def shown(count: int | None) -> str:
    """One count as a page shows it: "<8" when suppressed, otherwise rounded with thousands commas."""
    if count is None:
        return "-"
    disclosed = disclose_count(count)
    return SUPPRESSED_TEXT if disclosed is None else f"{disclosed:,}"


def percent(numerator: int, denominator: int, *, places: int = 1) -> str:
    """A percentage as a page shows it: suppressed when either count is, else from the rounded counts."""
    top, bottom = disclose_count(numerator), disclose_count(denominator)
    if top is None or bottom is None:
        return "suppressed"
    if bottom == 0:
        return "-"
    return f"{100 * top / bottom:.{places}f}%"


def _bounds(shown_values: npt.NDArray[np.float64], small: npt.NDArray[np.bool_]) -> tuple[Any, Any]:
    """The true values a published count can stand for: 0 exactly, 1 to 7 if suppressed, else ± 2 (8 up)."""
    low = np.where(small, SUPPRESS_FROM, np.where(shown_values == 0, 0, np.maximum(8, shown_values - 2)))
    high = np.where(small, SUPPRESS_TO, np.where(shown_values == 0, 0, shown_values + ROUND_TO // 2))
    return low, high


def hidden_values(parts: npt.ArrayLike, total: int) -> list[set[int]]:
    """For each suppressed part, every value it could take given the published parts and total.

    (An empty set for a part that is not suppressed.) This is what someone who knows the rule can
    work out from a breakdown and its total; `disclose_breakdown` keeps each set at two or more.
    """
    shown_parts, small = disclose_counts(parts)
    shown_total, total_small = disclose_counts([total])
    if total_small[0] or np.isnan(shown_total[0]):
        return [set(range(SUPPRESS_FROM, SUPPRESS_TO + 1)) if s else set() for s in small]
    low, high = _bounds(shown_parts, small)
    total_low, total_high = _bounds(shown_total, total_small)
    values: list[set[int]] = []
    for index, hidden in enumerate(small):
        if not hidden:
            values.append(set())
            continue
        others_low, others_high = low.sum() - low[index], high.sum() - high[index]
        least = max(SUPPRESS_FROM, int(total_low[0] - others_high))
        most = min(SUPPRESS_TO, int(total_high[0] - others_low))
        values.append(set(range(least, most + 1)))
    return values


def disclose_breakdown(parts: npt.ArrayLike, total: int) -> tuple[list[int | None], int | None]:
    """A breakdown and its total as they may leave the platform.

    Parts and total follow the rule; the total is suppressed too when, with it, some suppressed part
    could take only one value.
    """
    shown_parts, _small = disclose_counts(parts)
    shown_total = disclose_count(total)
    if shown_total is not None and any(len(v) < 2 for v in hidden_values(parts, total) if v):
        shown_total = None
    return [None if np.isnan(v) else int(v) for v in shown_parts], shown_total


def disclose_table(
    table: Frame,
    *,
    counts: Sequence[str] = ("numerator", "denominator"),
    derived: Sequence[str] = ("rate", "ci_low", "ci_high"),
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> Frame:
    """A table of counts made fit to leave the platform (a pandas DataFrame or an Arrow table).

    Each column in ``counts`` is suppressed (null) from 1 to 7 and otherwise rounded to the nearest
    5; ``suppressed`` is true on a row where any of them was. On a suppressed row every ``derived``
    column is emptied too. On the other rows, ``derive`` (when given) recomputes the derived columns
    from the disclosed counts: it gets and returns a DataFrame of those rows.
    """
    frame = table.to_pandas() if isinstance(table, pa.Table) else table.copy()
    missing = [c for c in counts if c not in frame.columns]
    if missing:
        raise KeyError(f"disclosure needs the column(s) {', '.join(missing)}")
    any_small = np.zeros(len(frame), dtype=bool)
    for column in counts:
        try:
            shown_values, small = disclose_counts(
                pd.to_numeric(frame[column]).to_numpy(float, na_value=np.nan)
            )
        except (DisclosureError, ValueError, TypeError) as error:
            raise DisclosureError(f"column {column!r}: {error}") from error
        frame[column] = pd.array(shown_values, dtype="Float64").astype("Int64")
        any_small |= small
    frame[SUPPRESSED_COLUMN] = any_small
    if derive is not None and (~any_small).any():
        recomputed = derive(frame.loc[~any_small].copy())
        for column in derived:
            frame[column] = np.nan
            frame.loc[~any_small, column] = recomputed[column].to_numpy(dtype=float)
    for column in derived:
        if column in frame.columns:
            frame[column] = frame[column].astype("float64")
            frame.loc[any_small, column] = np.nan
    if isinstance(table, pa.Table):
        return pa.Table.from_pandas(frame, preserve_index=False)
    return frame


def disclosed_count(column: ir.IntegerValue) -> ir.IntegerValue:
    """The Ibis form of the rule for one count column: null from 1 to 7, else rounded to 5."""
    rounded = ((column + ROUND_TO // 2) // ROUND_TO) * ROUND_TO
    return ibis.cases(
        ((column >= SUPPRESS_FROM) & (column <= SUPPRESS_TO), ibis.null("int64")),
        else_=rounded.cast("int64"),
    )


def disclose_ibis(table: ir.Table, *, counts: Sequence[str] = ("numerator", "denominator")) -> ir.Table:
    """The Ibis form of ``disclose_table`` for the counts (derived values are computed after it)."""
    small = ibis.literal(False)
    for column in counts:
        value = table[column]
        small = small | ((value >= SUPPRESS_FROM) & (value <= SUPPRESS_TO)).fill_null(False)
    return table.mutate(
        **{column: disclosed_count(table[column]) for column in counts}, **{SUPPRESSED_COLUMN: small}
    )

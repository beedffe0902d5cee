"""Disclosure control (NHS Digital's rule): a count from 1 to 7 never leaves the platform, every other
count leaves rounded to the nearest 5, and nothing suppressed can be worked out from totals."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icp.measure.disclosure import (
    SUPPRESSED_TEXT,
    DisclosureError,
    disclose_breakdown,
    disclose_count,
    disclose_counts,
    disclose_ibis,
    disclose_table,
    hidden_values,
    percent,
    shown,
)


@pytest.mark.parametrize(
    ("count", "disclosed"),
    [(0, 0), (1, None), (7, None), (8, 10), (12, 10), (13, 15), (15, 15), (17, 15), (18, 20), (12346, 12345)],
)
def test_one_to_seven_are_suppressed_and_the_rest_rounded_to_five(count: int, disclosed: int | None) -> None:
    assert disclose_count(count) == disclosed


def test_a_page_shows_suppressed_counts_as_under_eight_and_others_rounded() -> None:
    assert [shown(n) for n in (0, 3, 8, 12346)] == ["0", SUPPRESSED_TEXT, "10", "12,345"]


def test_a_percentage_rests_on_the_rounded_counts_and_is_suppressed_with_them() -> None:
    assert percent(12, 48) == "20.0%"  # 10 / 50, not 12 / 48 = 25.0%
    assert percent(3, 500) == "suppressed"
    assert percent(30, 5) == "suppressed"
    assert percent(0, 0) == "-"


@pytest.mark.parametrize("bad", [-1, 2.5])
def test_a_negative_or_fractional_count_is_refused(bad: float) -> None:
    with pytest.raises(DisclosureError):
        disclose_counts([bad])


def test_missing_counts_stay_missing_without_being_called_suppressed() -> None:
    values, small = disclose_counts([np.nan, 4, 9])
    assert np.isnan(values[0]) and np.isnan(values[1]) and values[2] == 10
    assert small.tolist() == [False, True, False]


def _indicator_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["falls_admissions_65"] * 4,
            "period": ["2026-01", "2026-02", "2026-03", "2026-04"],
            "numerator": [23, 5, 0, 41],
            "denominator": [1502, 1499, 6, 1488],
            "rate": [15.3, 3.3, 0.0, 27.6],
            "ci_low": [9.7, 1.1, 0.0, 19.8],
            "ci_high": [23.0, 7.8, 0.0, 37.4],
        }
    )


def test_a_table_row_with_a_small_count_is_marked_and_emptied() -> None:
    table = disclose_table(_indicator_rows())
    assert table["suppressed"].tolist() == [False, True, True, False]
    assert table["numerator"].tolist() == [25, pd.NA, 0, 40]
    assert table["denominator"].tolist() == [1500, 1500, pd.NA, 1490]
    assert table["rate"].isna().tolist() == [False, True, True, False]
    assert table["ci_high"].isna().tolist() == [False, True, True, False]


def test_derived_values_are_recomputed_from_the_disclosed_counts() -> None:
    def per_thousand(rows: pd.DataFrame) -> pd.DataFrame:
        rate = 1000 * rows["numerator"].astype(float) / rows["denominator"].astype(float)
        return rows.assign(rate=rate, ci_low=rate - 1, ci_high=rate + 1)

    table = disclose_table(_indicator_rows(), derive=per_thousand)
    assert table.loc[0, "rate"] == pytest.approx(1000 * 25 / 1500)
    assert table.loc[3, "ci_low"] == pytest.approx(1000 * 40 / 1490 - 1)
    assert np.isnan(table.loc[1, "rate"])


def test_an_arrow_table_comes_back_as_an_arrow_table() -> None:
    table = disclose_table(pa.Table.from_pandas(_indicator_rows()))
    assert isinstance(table, pa.Table)
    assert table.column("numerator").to_pylist() == [25, None, 0, 40]


def test_a_missing_or_non_numeric_count_column_is_named() -> None:
    with pytest.raises(KeyError, match="denominator"):
        disclose_table(_indicator_rows().drop(columns="denominator"))
    with pytest.raises(DisclosureError, match="'numerator'"):
        disclose_table(_indicator_rows().assign(numerator=["a", "b", "c", "d"]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=5000)), min_size=1, max_size=40))
def test_duckdb_applies_the_same_rule_as_numpy(counts: list[int | None]) -> None:
    frame = pd.DataFrame({"numerator": pd.array(counts, dtype="Int64"), "denominator": 100})
    in_engine = disclose_ibis(ibis.memtable(frame)).to_pandas()
    in_numpy = disclose_table(frame, derived=())
    assert in_engine["numerator"].astype("Int64").tolist() == in_numpy["numerator"].tolist()
    assert in_engine["suppressed"].tolist() == in_numpy["suppressed"].tolist()


def _candidates_by_brute_force(shown_others: list[int], shown_total: int) -> set[int]:
    """Every value from 1 to 7 the one suppressed cell could take, trying every set of true values."""
    ranges = [[0] if s == 0 else range(max(8, s - 2), s + 3) for s in shown_others]
    sums = {0}
    for values in ranges:
        sums = {total + value for total in sums for value in values}
    return {h for h in range(1, 8) if any(disclose_count(h + others) == shown_total for others in sums)}


def test_rounding_alone_can_pin_a_suppressed_cell() -> None:
    # The weakness of the rule on its own: 8 + 8 + 1 = 17 shows as 10, 10 and a total of 15, and
    # only a hidden 1 fits (the others are at least 8 each and the total at most 17).
    assert _candidates_by_brute_force([10, 10], 15) == {1}
    assert hidden_values([8, 8, 1], 17) == [set(), set(), {1}]
    assert disclose_breakdown([8, 8, 1], 17) == ([10, 10, None], None)


def test_a_breakdown_keeps_its_total_when_nothing_can_be_pinned() -> None:
    assert disclose_breakdown([40, 52, 3, 0], 95) == ([40, 50, None, 0], 95)


@settings(max_examples=300, deadline=None)
@given(
    hidden=st.integers(min_value=1, max_value=7),
    others=st.lists(st.one_of(st.just(0), st.integers(min_value=8, max_value=60)), min_size=1, max_size=4),
)
def test_no_suppressed_cell_can_be_worked_out_from_a_published_total(hidden: int, others: list[int]) -> None:
    parts, total = disclose_breakdown([*others, hidden], hidden + sum(others))
    assert parts[-1] is None
    if total is None:  # the total is itself suppressed: nothing to subtract from
        return
    candidates = _candidates_by_brute_force([int(p or 0) for p in parts[:-1]], total)
    assert hidden in candidates and len(candidates) >= 2
    assert candidates == hidden_values([*others, hidden], hidden + sum(others))[-1]

"""The risk_result columns worked out from the scores: lists of what is true, in list order, for
every person, and an empty list (never a missing one) for someone with nothing to list."""

from __future__ import annotations

import pyarrow as pa

from icp.stratify.results import _empty_for_null, _list_column


def test_a_list_column_holds_each_persons_true_flags_in_list_order() -> None:
    flags = pa.table(
        {
            "falls": pa.chunked_array([[True, False], [None, True]]),
            "anaemia": pa.chunked_array([[False, False], [True, True]]),
            "diabetes": pa.chunked_array([[True, False], [False, True]]),
        }
    )
    listed = _list_column(flags, ["falls", "anaemia", "diabetes"], ["falls", "anaemia", "diabetes"])
    assert listed.to_pylist() == [
        ["falls", "diabetes"],
        [],
        ["anaemia"],  # a missing flag is not a true one
        ["falls", "anaemia", "diabetes"],
    ]
    assert listed.null_count == 0


def test_a_list_column_follows_the_order_of_the_list_not_of_the_columns_found_first() -> None:
    flags = pa.table({"b": [True, True], "a": [True, False]})
    listed = _list_column(flags, ["a", "b"], ["first", "second"])
    assert listed.to_pylist() == [["first", "second"], ["second"]]


def test_with_no_columns_everyone_has_an_empty_list() -> None:
    assert _list_column(pa.table({"x": [1, 2, 3]}), [], []).to_pylist() == [[], [], []]


def test_missing_lists_become_empty_lists_and_the_others_are_kept() -> None:
    kind = pa.list_(pa.string())
    codes = pa.chunked_array([pa.array([["F00", "R41"], None], kind), pa.array([None, ["W19"], []], kind)])
    filled = _empty_for_null(codes)
    assert filled.to_pylist() == [["F00", "R41"], [], [], ["W19"], []]
    assert filled.null_count == 0


def test_an_empty_column_gives_an_empty_list_array() -> None:
    assert _empty_for_null(pa.chunked_array([], pa.list_(pa.string()))).to_pylist() == []

"""Strict reading of request values: every bad value is an InputError naming the field, never a
crash of Python's own conversions."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icp.inputs import (
    MAX_WHOLE_NUMBER,
    InputError,
    calendar_date,
    date_time,
    posted_date,
    time_of_day,
    whole_number,
)


@pytest.mark.parametrize(
    "text", ["²", "١٢", "1.5", "-1", "", " ", "1e3", "9" * 5000, str(MAX_WHOLE_NUMBER + 1), "0x10"]
)
def test_a_whole_number_is_ascii_digits_and_fits_a_database_key(text: str) -> None:
    with pytest.raises(InputError, match="_count"):
        whole_number(text, "_count")


def test_a_whole_number_in_range_is_read_and_out_of_range_named() -> None:
    assert whole_number(" 42 ", "page") == 42
    assert whole_number(str(MAX_WHOLE_NUMBER), "id") == MAX_WHOLE_NUMBER
    with pytest.raises(InputError, match="between 1 and"):
        whole_number("0", "_count", minimum=1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2026-13-01",
        "2026-2-3",
        "03/04/2026",
        "\uff12\uff10\uff12\uff16-01-01",
        "",
        "2026-02-29",
    ],
)
def test_an_impossible_or_odd_date_is_refused_by_name(text: str) -> None:
    with pytest.raises(InputError, match="birthdate"):
        calendar_date(text, "birthdate")


def test_a_real_date_is_read() -> None:
    assert calendar_date("2024-02-29", "birthdate") == date(2024, 2, 29)


def test_date_times_naive_or_with_an_offset_are_read_and_impossible_ones_refused() -> None:
    assert date_time("2026-03-04 14:30", "starts_at") == datetime(2026, 3, 4, 14, 30)
    aware = date_time("2026-03-04T14:30:00+01:00", "starts_at")
    assert aware.utcoffset() == timedelta(hours=1)
    assert date_time("2026-03-04T14:30Z", "starts_at").utcoffset() == timedelta(0)
    for bad in ("2026-02-30 10:00", "2026-03-04 25:00", "tomorrow", "2026-03-04"):
        with pytest.raises(InputError, match="starts_at"):
            date_time(bad, "starts_at")


@given(st.text(max_size=40))
def test_no_text_at_all_gets_past_with_anything_but_an_input_error(text: str) -> None:
    for read in (
        lambda: whole_number(text, "f"),
        lambda: calendar_date(text, "f"),
        lambda: date_time(text, "f"),
        lambda: time_of_day(text, "f"),
        lambda: posted_date({"f_day": text, "f_month": text, "f_year": text}, "f", "f"),
    ):
        with contextlib.suppress(InputError):
            read()


def test_a_date_from_the_nhs_date_input_or_one_iso_value() -> None:
    boxes = {"due_day": "5", "due_month": "03", "due_year": "2026"}
    assert posted_date(boxes, "due", "The due date") == date(2026, 3, 5)
    assert posted_date({"due": "2026-03-05"}, "due", "The due date") == date(2026, 3, 5)
    for bad in (
        {"due_day": "31", "due_month": "2", "due_year": "2026"},
        {"due_day": "5", "due_month": "", "due_year": "2026"},
        {"due_day": "5", "due_month": "3", "due_year": "26"},
        {"due_day": "²", "due_month": "3", "due_year": "2026"},
        {},
    ):
        with pytest.raises(InputError, match="The due date"):
            posted_date(bad, "due", "The due date")


def test_a_time_on_the_24_hour_clock() -> None:
    assert time_of_day("14:30", "The time") == time(14, 30) and time_of_day("9.05", "The time") == time(9, 5)
    for bad in ("24:00", "12:60", "2pm", ""):
        with pytest.raises(InputError, match="The time"):
            time_of_day(bad, "The time")

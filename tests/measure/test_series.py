"""Reading an analyst's CSV as a series: the dates and numbers, or an error naming line and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from icp.measure.series import SeriesError, parse_date, read_series


@pytest.mark.parametrize(
    ("text", "day"),
    [("2026-03-31", date(2026, 3, 31)), ("2026-03", date(2026, 3, 1)), ("31/03/2026", date(2026, 3, 31))],
)
def test_dates_in_the_usual_forms(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["03/31/2026", "2026-3", "March 2026", ""])
def test_other_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


def test_a_series_keeps_the_file_order_and_reads_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\ufeffweek,other,count\n2026-01-12,x,4\n2026-01-05,y, 3.5 \n", encoding="utf-8")
    series = read_series(path, date_column="week", value_column="count")
    assert series.dates == [date(2026, 1, 12), date(2026, 1, 5)] and series.values == [4.0, 3.5]


def test_a_short_row_and_an_empty_file_are_named(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("week,count\n2026-01-12\n", encoding="utf-8")
    with pytest.raises(SeriesError, match="line 2: the row has fewer cells"):
        read_series(path, date_column="week", value_column="count")
    path.write_text("week,count\n", encoding="utf-8")
    with pytest.raises(SeriesError, match="no rows under the header"):
        read_series(path, date_column="week", value_column="count")


def test_infinity_is_not_a_value(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("week,count\n2026-01-12,inf\n", encoding="utf-8")
    with pytest.raises(SeriesError, match="line 2, column 'count': 'inf' is not a finite number"):
        read_series(path, date_column="week", value_column="count")

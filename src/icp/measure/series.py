"""Reading a time series from an analyst's CSV file for an SPC chart (`icp spc`).

Any CSV with a header row: one column of dates, one of numbers. A bad cell stops the read with a
message naming the file, the line (the header is line 1), the column and what was expected, since a
chart with a point silently dropped would mislead. Dates may be written 2026-03-31, 2026-03 (a month,
read as its first day) or 31/03/2026 (day first, as in the UK).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class SeriesError(ValueError):
    """A CSV that cannot be read as a series; the message names where and why."""


@dataclass(frozen=True)
class Series:
    dates: list[date]
    values: list[float]


def parse_date(text: str) -> date:
    """A date written as YYYY-MM-DD, YYYY-MM or DD/MM/YYYY; ValueError otherwise."""
    text = original = text.strip()
    month = _MONTH.match(text)
    if month:
        text = f"{text}-01"
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{original!r} is not a date (expected YYYY-MM-DD, YYYY-MM or DD/MM/YYYY)")


def read_series(path: Path, *, date_column: str, value_column: str) -> Series:
    """The dates and values of ``path``; raises SeriesError naming the line and column of a bad cell."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise SeriesError(f"{path}: cannot be read ({error.strerror})") from error
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in (date_column, value_column):
            if column not in header:
                found = ", ".join(repr(name) for name in header) or "none"
                raise SeriesError(f"{path}: no column {column!r} (the header has {found})")
        dates: list[date] = []
        values: list[float] = []
        seen: dict[date, int] = {}
        for row in reader:
            line = reader.line_num
            where = f"{path}, line {line}"
            raw_date, raw_value = row.get(date_column), row.get(value_column)
            if raw_date is None or raw_value is None:
                raise SeriesError(f"{where}: the row has fewer cells than the header")
            try:
                day = parse_date(raw_date)
            except ValueError as error:
                raise SeriesError(f"{where}, column {date_column!r}: {error}") from error
            if day in seen:
                raise SeriesError(f"{where}, column {date_column!r}: {day} is already on line {seen[day]}")
            try:
                value = float(raw_value.strip())
            except ValueError:
                raise SeriesError(
                    f"{where}, column {value_column!r}: {raw_value!r} is not a number"
                ) from None
            if value != value or value in (float("inf"), float("-inf")):
                raise SeriesError(f"{where}, column {value_column!r}: {raw_value!r} is not a finite number")
            seen[day] = line
            dates.append(day)
            values.append(value)
    if not dates:
        raise SeriesError(f"{path}: no rows under the header")
    return Series(dates=dates, values=values)

"""CSV that is safe to open in a spreadsheet: the one place icp's CSV exports neutralise formulas.

A cell that starts with `=`, `+`, `-`, `@`, a tab, a carriage return, a line feed or `|` (after any
spaces; their full-width forms too) is run as a formula by common spreadsheet programs ("CSV
injection"): a reason typed into a form as `=HYPERLINK(...)` would become a live link in an IG
lead's audit export. Such a cell is prefixed with an apostrophe, which spreadsheets show as text.
Plain numbers (`-1.5`) are left alone: they cannot be formulas. Pure Python, no Django.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|")
# Full-width forms some spreadsheet programs also take as the start of a formula.
WIDE_FORMULA_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def safe_cell(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would run as a formula; then quoted as text."""
    if not isinstance(value, str) or _is_number(value):
        return value
    # Leading spaces do not stop a spreadsheet reading "  =1+1" as a formula.
    if value.lstrip(" ").startswith(FORMULA_STARTS + WIDE_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class _Echo:
    """A file-like object whose write() returns the line, so CSV can be streamed line by line."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Stream a CSV document one line at a time, every cell made safe (for StreamingHttpResponse)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))

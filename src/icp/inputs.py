"""Reading values typed into requests, strictly: the one place pages and APIs turn text into numbers
and dates, so bad input is a clear 400 naming the field and never a 500.

Python's own conversions fail in ways a request can trigger: `"²".isdigit()` is true but `int("²")`
raises; `int` refuses more than 4,300 digits; a database refuses a key beyond 64 bits; Django's
`parse_date("2026-02-30")` raises instead of returning None. Each function here raises `InputError`
(a ValueError) with a message that names the field and says what was expected. Pure Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

# The largest whole number icp accepts from a request: a database key (signed 64-bit) and more than
# any count or page number anyone means.
MAX_WHOLE_NUMBER = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
)


_CLOCK = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")


class InputError(ValueError):
    """A value from a request that is not what the field expects (the message says which and why)."""


def whole_number(text: str, field: str, *, minimum: int = 0, maximum: int = MAX_WHOLE_NUMBER) -> int:
    """`text` as a whole number of ASCII digits between `minimum` and `maximum`."""
    value = (text or "").strip()
    if not _ASCII_DIGITS.fullmatch(value) or int(value) > MAX_WHOLE_NUMBER:
        raise InputError(f"{field} must be a whole number written with the digits 0-9, not {value[:20]!r}.")
    number = int(value)
    if not minimum <= number <= maximum:
        raise InputError(f"{field} must be between {minimum:,} and {maximum:,}, not {number:,}.")
    return number


def calendar_date(text: str, field: str) -> date:
    """`text` as a real calendar date written YYYY-MM-DD (2026-02-30 is refused, not a 500)."""
    value = (text or "").strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise InputError(f"{field} must be a date written YYYY-MM-DD, not {value[:20]!r}.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{field}: {value} is not a day of the calendar.") from None


def date_time(text: str, field: str) -> datetime:
    """`text` as a date and time, YYYY-MM-DD HH:MM (or with a T), optionally with seconds and a
    UTC offset; an impossible date or time is refused with the field named."""
    value = (text or "").strip().replace(" ", "T", 1)
    pattern = (
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
    )
    if not re.fullmatch(pattern, value):
        raise InputError(f"{field} must be a date and time like 2026-03-04 14:30, not {value[:30]!r}.")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{field}: {value} is not a real date and time.") from None


def posted_date(data: Mapping[str, Any], name: str, field: str) -> date:
    """A date from a form: the NHS date input's day, month and year boxes (`name_day`, `name_month`,
    `name_year`), or else one YYYY-MM-DD value under `name` (a script, or a page not yet moved to
    the date input). An impossible or incomplete date is refused with the field named."""
    day, month, year = (
        str(data.get(f"{name}_{part}", "") or "").strip() for part in ("day", "month", "year")
    )
    if not (day or month or year):
        return calendar_date(str(data.get(name, "") or ""), field)
    if not (
        _ASCII_DIGITS.fullmatch(day) and _ASCII_DIGITS.fullmatch(month) and re.fullmatch(r"[0-9]{4}", year)
    ):
        raise InputError(
            f"{field} must be a real date: the day, month and year in numbers, such as 27 3 2026."
        )
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InputError(f"{field}: {day[:2]} {month[:2]} {year} is not a day of the calendar.") from None


def time_of_day(text: str, field: str) -> time:
    """`text` as a time on the 24-hour clock, such as 14:30 (or 9.05)."""
    value = (text or "").strip()
    found = _CLOCK.fullmatch(value)
    if not found or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise InputError(f"{field} must be a time on the 24-hour clock, such as 14:30, not {value[:10]!r}.")
    return time(int(found.group(1)), int(found.group(2)))

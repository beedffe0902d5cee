"""Reading values typed into requests, strictly: the one place pages and APIs turn text into numbers
and dates, so bad input is a clear 400 naming the field and never a 500.

Python's own conversions fail in ways a request can trigger: `"²".isdigit()` is true but `int("²")`
raises; `int` refuses more than 4,300 digits; a database refuses a key beyond 64 bits; Django's
`parse_date("2026-02-30")` raises instead of returning None. Each function here raises `InputError`
(a ValueError) with a message that names the field and says what was expected. Pure Python, no Django.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# The largest whole number icp accepts from a request: a database key (signed 64-bit) and more than
# any count or page number anyone means.
MAX_WHOLE_NUMBER = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
)


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

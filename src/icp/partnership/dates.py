"""`IsoDate`: a date an API accepts only as YYYY-MM-DD.

Pydantic reads a number, or a string of digits, as seconds since 1970 (`?start=0` became 1 January
1970 and was answered 200). Every date the API takes is a calendar date written out, so anything else
is refused with a 422 naming the parameter and what was expected. Dates already parsed pass through.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_out(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD, e.g. 2026-04-01")
    return value


IsoDate = Annotated[date, BeforeValidator(_written_out)]

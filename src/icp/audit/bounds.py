"""Keep what reaches an audit row bounded and plain, whatever a request sent.

Audit events copy text from requests (a purpose, a search filter, a reason typed into a form). An
attacker could send megabytes, control characters or a value that is not a purpose at all; the row
keeps a bounded, printable copy, and an unknown purpose is stored as `unrecognised` with the value
given kept (bounded) in the detail. Spreadsheet formulas are neutralised where rows leave icp as CSV
(`icp.spreadsheet`), so the row itself records faithfully what was sent.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

ELLIPSIS = "…"
REASON_LIMIT = 2000
DETAIL_TEXT_LIMIT = 500
DETAIL_ITEMS_LIMIT = 200
DETAIL_JSON_LIMIT = 16_000
UNRECOGNISED_PURPOSE = "unrecognised"
# Purposes are vocabulary codes (sharing.vocabulary.Purpose): lower-case words joined by underscores.
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def bounded_text(value: Any, limit: int) -> str:
    """`value` as text without control characters, cut to `limit` characters (marked with an ellipsis)."""
    text = "" if value is None else str(value)
    if any(unicodedata.category(char)[0] == "C" for char in text):
        text = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)
    if len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    return text


def bounded_purpose(purpose: Any) -> tuple[str, str]:
    """(purpose to store, the value given if it was not a purpose code, bounded)."""
    text = "" if purpose is None else str(purpose)
    if not text or _PURPOSE.fullmatch(text):
        return text, ""
    return UNRECOGNISED_PURPOSE, bounded_text(text, 64)


def _bounded_value(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict) and depth < 4:
        items = list(value.items())[:DETAIL_ITEMS_LIMIT]
        return {bounded_text(key, 64): _bounded_value(item, depth + 1) for key, item in items}
    if isinstance(value, list | tuple | set | frozenset) and depth < 4:
        return [_bounded_value(item, depth + 1) for item in list(value)[:DETAIL_ITEMS_LIMIT]]
    return bounded_text(value, DETAIL_TEXT_LIMIT)


def bounded_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of `detail` with every string, list and nesting level bounded; too big a whole is summarised."""
    bounded = _bounded_value(detail or {}, 0)
    assert isinstance(bounded, dict)
    if len(json.dumps(bounded, default=str)) > DETAIL_JSON_LIMIT:
        return {"truncated": True, "keys": sorted(bounded)[:50]}
    return bounded

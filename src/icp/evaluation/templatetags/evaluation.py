"""Template helpers for linking to the evaluation report from other pages (a meeting's papers)."""

from __future__ import annotations

from datetime import date

from django import template

register = template.Library()


@register.filter
def quarter_before(day: date) -> str:
    """The last calendar quarter ended before ``day``: the one a meeting on that day reviews."""
    quarter = (day.month - 1) // 3  # the quarter `day` is in, from 0; the one before it ended already
    if quarter == 0:
        return f"{day.year - 1}-Q4"
    return f"{day.year}-Q{quarter}"

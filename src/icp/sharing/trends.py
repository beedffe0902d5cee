"""Observations trended: for each measure, the latest and previous readings and a small chart.

Works on the rows the record reader already returned under an allowed decision (it reads nothing
itself). The chart is an inline SVG drawn on the server (the site's content security policy allows
no script and no inline style): a line through the readings, oldest to newest, with a text
alternative that says what it shows, and the readings in a table beside it for anyone who cannot
see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from icp.stratify.terms import observation_name, value_words

CHART_WIDTH = 120
CHART_HEIGHT = 32
CHART_POINTS = 12  # the last dozen readings: about as many as the yearly checks of the history


@dataclass
class Reading:
    when: date | None
    number: float | None
    words: str


@dataclass
class Trend:
    name: str
    readings: list[Reading] = field(default_factory=list)  # newest first

    @property
    def latest(self) -> Reading:
        return self.readings[0]

    @property
    def previous(self) -> Reading | None:
        return self.readings[1] if len(self.readings) > 1 else None

    @property
    def span(self) -> str:
        """The lowest and highest of the charted readings, in words ("42 to 58 mL/min/1.73m²")."""
        charted = [r for r in self.readings if r.number is not None][:CHART_POINTS]
        if len(charted) < 2:
            return ""
        low = min(charted, key=lambda r: float(r.number or 0))
        high = max(charted, key=lambda r: float(r.number or 0))
        return f"{low.words} to {high.words}"

    @property
    def chart(self) -> SafeString:
        return sparkline(self.name, [r for r in self.readings if r.number is not None][:CHART_POINTS])


def _words(row: dict[str, Any]) -> str:
    if row.get("value_number") is not None:
        return value_words(row["value_number"], row.get("value_unit"))
    return str(row.get("value_display") or row.get("value_text") or "—")


def trends(rows: list[dict[str, Any]]) -> list[Trend]:
    """One trend per observation code, in the order of their latest reading (rows come newest first)."""
    by_code: dict[tuple[str, str, str], Trend] = {}
    for row in rows:
        key = (row.get("code_system") or "", row.get("code") or "", "" if row.get("code") else row["display"])
        trend = by_code.get(key)
        if trend is None:
            name = observation_name(row.get("code_system"), row.get("code"), row.get("display"))
            trend = by_code[key] = Trend(name)
        trend.readings.append(Reading(row.get("effective_date"), row.get("value_number"), _words(row)))
    return list(by_code.values())


def sparkline(name: str, newest_first: list[Reading]) -> SafeString:
    """A small line chart of numeric readings (needs two); empty when there is nothing to draw."""
    points = list(reversed(newest_first))
    if len(points) < 2:
        return SafeString("")
    values = [float(p.number) for p in points if p.number is not None]
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    step = (CHART_WIDTH - 8) / (len(values) - 1)
    xy = [
        (4 + i * step, CHART_HEIGHT - 4 - (value - low) / spread * (CHART_HEIGHT - 8))
        for i, value in enumerate(values)
    ]
    first, last = points[0], points[-1]
    label = (
        f"{name}: {len(values)} readings, from {first.words} on {_date(first.when)} "
        f"to {last.words} on {_date(last.when)}"
    )
    circles = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2" fill="#005eb8"></circle>',
        ((f"{x:.1f}", f"{y:.1f}") for x, y in xy),
    )
    return format_html(
        '<svg class="icp-sparkline" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<polyline fill="none" stroke="#005eb8" stroke-width="1.5" points="{}"></polyline>{}</svg>',
        label,
        CHART_WIDTH,
        CHART_HEIGHT,
        CHART_WIDTH,
        CHART_HEIGHT,
        label,
        " ".join(f"{x:.1f},{y:.1f}" for x, y in xy),
        circles,
    )


def _date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "an unknown date"

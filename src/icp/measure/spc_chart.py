"""SPC charts and the Making Data Count icons drawn as accessible SVG, with no external assets.

The chart has a title and a description (what a screen reader announces), the mean, the process
limits and the target as lines, and each point marked by colour *and* shape (so the flags do not
rest on colour alone): a circle for common cause, a diamond for improvement, a square for concern, a
triangle for neutral special cause. Pages put the data behind it in a table inside a details element
(`data_rows`). Colours are Making Data Count's (as NHSRplotthedots' `ptd_spc_colours`), darkened where
needed to reach 3:1 contrast with white for graphics.

Dates are written in words: "Apr 2025" where every point is a month's first day (the published
monthly tables), "3 Apr 2025" otherwise. A series that cannot be negative (a rate, a count, a
proportion) is drawn with `floor=0`: a lower process limit below zero is drawn at zero, as NHS
England's Making Data Count tool does, and the description says so; the limit's own value (as
NHSRplotthedots computes it) stays in the numbers, the table and the JSON.

The icons are drawn here from their Making Data Count meaning (a circle in the variation's colour with
H or L for high or low; P, F or a wave for assurance), each with its own title.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from math import isnan

from icp.measure.spc import SpcChart

COLOURS = {
    "common_cause": "#768692",  # NHS mid grey (Making Data Count's #a6a6a6 is under 3:1 on white)
    "improvement": "#005eb8",  # blue
    "concern": "#c35600",  # orange, darkened from #e46c0a for contrast
    "neutral": "#490092",  # purple
    "mean": "#212b32",
    "limit": "#768692",
    "target": "#d5281b",
}
VARIATION_WORDS = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement (higher values)",
    "improvement_low": "Special cause variation: improvement (lower values)",
    "concern_high": "Special cause variation: concern (higher values)",
    "concern_low": "Special cause variation: concern (lower values)",
    "neutral_high": "Special cause variation: higher values (neither improvement nor concern)",
    "neutral_low": "Special cause variation: lower values (neither improvement nor concern)",
}
ASSURANCE_WORDS = {
    "consistent_pass": "Assurance: the process will consistently meet the target",
    "consistent_fail": "Assurance: the process will consistently fail the target",
    "inconsistent": "Assurance: the process will sometimes meet and sometimes fail the target",
}


@dataclass(frozen=True)
class DataRow:
    """One row of the table behind a chart, as text."""

    date: str
    value: str
    mean: str
    lower: str
    upper: str
    reading: str


def _fmt(value: float, places: int) -> str:
    return "-" if value is None or isnan(value) else f"{value:,.{places}f}"


def date_words(days: Sequence[dt.date]) -> list[str]:
    """Each date in words: "Apr 2025" when every one is a month's first day (monthly figures),
    else "3 Apr 2025"."""
    monthly = all(day.day == 1 for day in days)
    return [f"{day:%b %Y}" if monthly else f"{day.day} {day:%b %Y}" for day in days]


def floored(chart: SpcChart, floor: float | None) -> int:
    """How many points have a lower process limit below `floor` (drawn at the floor)."""
    if floor is None:
        return 0
    return int((chart.points["lower"] < floor).sum())


def data_rows(chart: SpcChart, *, places: int = 1) -> list[DataRow]:
    """The chart's numbers as rows for the table behind the chart (the limits as calculated)."""
    words = date_words(list(chart.points["date"]))
    return [
        DataRow(
            date=word,
            value=_fmt(point.value, places),
            mean=_fmt(point.mean, places),
            lower=_fmt(point.lower, places),
            upper=_fmt(point.upper, places),
            reading=(
                f"{point.special_cause} ({point.special_cause_type})"
                if point.special_cause
                else "common cause"
            )
            + (" · trial limits" if point.trial_limits else ""),
        )
        for word, point in zip(words, chart.points.itertuples(index=False), strict=True)
    ]


def describe(chart: SpcChart, *, places: int = 1, floor: float | None = None) -> str:
    """A plain-words description of the chart for its <desc> and for screen readers."""
    points = chart.points
    last = points.iloc[-1]
    flagged = points["special_cause"].value_counts()
    dates = date_words(list(points["date"]))
    words = [
        f"{len(points)} points from {dates[0]} to {dates[-1]}.",
        f"Latest value {_fmt(last['value'], places)}; mean {_fmt(last['mean'], places)}, "
        f"process limits {_fmt(last['lower'], places)} to {_fmt(last['upper'], places)}.",
    ]
    if floor is not None and floored(chart, floor):
        words.append(floor_words(floor))
    if points["period"].max() > 0:
        words.append(f"Limits recalculated {int(points['period'].max())} time(s) at a rebase date.")
    if bool(last["trial_limits"]):
        words.append("Fewer than 12 points since the last rebase: trial limits.")
    if flagged.empty:
        words.append("No special cause variation.")
    else:
        words.append(
            "Special cause: "
            + ", ".join(f"{count} point(s) of {kind}" for kind, count in flagged.items())
            + "."
        )
    if chart.variation:
        words.append(VARIATION_WORDS[chart.variation] + ".")
    if chart.assurance:
        words.append(ASSURANCE_WORDS[chart.assurance] + f" of {chart.target:g}.")
    return " ".join(words)


def floor_words(floor: float) -> str:
    """What the chart says of a lower limit drawn at the floor."""
    return (
        f"The lower process limit is below {floor:g} and drawn at {floor:g}, as the value cannot be "
        "negative; the table gives the limit as calculated."
    )


def _marker(kind: str | None, x: float, y: float) -> str:
    colour = COLOURS[kind or "common_cause"]
    if kind == "improvement":
        return f'<path d="M{x:.1f},{y - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{colour}"/>'
    if kind == "concern":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"/>'
    if kind == "neutral":
        return f'<path d="M{x:.1f},{y - 6:.1f} l6,11 l-12,0 z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'


def chart_svg(
    chart: SpcChart, *, title: str, element_id: str = "spc", places: int = 1, floor: float | None = None
) -> str:
    """The XmR chart as an SVG document (inline in a page, or saved to a file). With `floor`, a
    lower process limit below it is drawn at it (a series that cannot be negative: `floor=0`)."""
    width, height, left, right, top, bottom = 720, 320, 64, 16, 16, 40
    points = chart.points.copy()
    if floor is not None:
        points["lower"] = points["lower"].clip(lower=floor)
    numbers = [*points["value"], *points["lower"], *points["upper"]]
    if chart.target is not None:
        numbers.append(chart.target)
    finite = [v for v in numbers if not isnan(v)]
    low, high = float(min(finite)), float(max(finite))
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    count = len(points)

    def x_at(index: int) -> float:
        return left + (width - left - right) * (index / max(count - 1, 1))

    def y_at(value: float) -> float:
        return top + (height - top - bottom) * (1 - (value - low) / (high - low))

    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="icp-spc-chart" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(chart, places=places, floor=floor))}</desc>',
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
        'fill="#ffffff" stroke="#d8dde0"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        value = low + pad + (high - low - 2 * pad) * fraction
        parts.append(
            f'<text x="{left - 6}" y="{y_at(value) + 4:.1f}" text-anchor="end" font-size="14" '
            f'font-family="Arial, sans-serif" fill="#4c6272">{escape(_fmt(value, places))}</text>'
        )
    # Lines per period, so a rebase shows as a step.
    for _period, group in points.groupby("period"):
        first, last = int(group.index[0]), int(group.index[-1])
        x0, x1 = x_at(first), x_at(last)
        row = group.iloc[0]
        dash = ' stroke-dasharray="6 4"' if bool(row["trial_limits"]) else ""
        for key, colour in (
            ("mean", COLOURS["mean"]),
            ("lower", COLOURS["limit"]),
            ("upper", COLOURS["limit"]),
        ):
            if not isnan(row[key]):
                parts.append(
                    f'<line x1="{x0:.1f}" y1="{y_at(row[key]):.1f}" x2="{x1:.1f}" y2="{y_at(row[key]):.1f}" '
                    f'stroke="{colour}" stroke-width="{1.5 if key == "mean" else 1}"{dash}/>'
                )
    if chart.target is not None:
        y = y_at(chart.target)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{COLOURS["target"]}" '
            'stroke-dasharray="2 3" stroke-width="1.5"/>'
        )
    path = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(points["value"]))
    parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS["limit"]}" stroke-width="1"/>')
    for index, point in enumerate(points.itertuples(index=False)):
        parts.append(_marker(point.special_cause, x_at(index), y_at(point.value)))
    dates = date_words(list(points["date"]))
    for index, anchor in _date_ticks(list(points["date"])):
        parts.append(
            f'<line x1="{x_at(index):.1f}" y1="{height - bottom}" x2="{x_at(index):.1f}" '
            f'y2="{height - bottom + 5}" stroke="#4c6272"/>'
            f'<text x="{x_at(index):.1f}" y="{height - 14}" text-anchor="{anchor}" font-size="14" '
            f'font-family="Arial, sans-serif" fill="#4c6272">{escape(dates[index])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _date_ticks(days: list[dt.date]) -> list[tuple[int, str]]:
    """The points whose dates label the axis, with each label's anchor: the first and the last,
    and each January between them far enough from both (8 points) not to overlap them."""
    count = len(days)
    ticks = [(0, "start" if count > 1 else "middle")]
    for index, day in enumerate(days):
        if day.month == 1 and 8 <= index <= count - 9 and index - ticks[-1][0] >= 8:
            ticks.append((index, "middle"))
    if count > 1:
        ticks.append((count - 1, "end"))
    return ticks


def variation_icon_svg(variation: str, *, size: int = 48) -> str:
    """The Making Data Count variation icon: a circle in the variation's colour, H or L for the side."""
    kind = variation.split("_")[0] if variation != "common_cause" else "common_cause"
    colour = COLOURS[kind]
    letter = {"high": "H", "low": "L"}.get(variation.rsplit("_", 1)[-1], "")
    inner = (
        f'<text x="24" y="31" text-anchor="middle" font-size="20" font-weight="bold" '
        f'font-family="Arial, sans-serif" fill="#ffffff">{letter}</text>'
        if letter
        else '<path d="M9,26 l6,-5 l6,7 l6,-6 l6,4 l6,-3" fill="none" stroke="#ffffff" stroke-width="3"/>'
    )
    return _icon(VARIATION_WORDS[variation], colour, inner, size)


def assurance_icon_svg(assurance_type: str, *, size: int = 48) -> str:
    """The Making Data Count assurance icon: P (pass), F (fail) or a wave (hit and miss)."""
    colour = {"consistent_pass": "improvement", "consistent_fail": "concern", "inconsistent": "common_cause"}[
        assurance_type
    ]
    letter = {"consistent_pass": "P", "consistent_fail": "F"}.get(assurance_type)
    inner = (
        f'<text x="24" y="31" text-anchor="middle" font-size="20" font-weight="bold" '
        f'font-family="Arial, sans-serif" fill="#ffffff">{letter}</text>'
        if letter
        else '<path d="M9,24 q5,-9 10,0 t10,0 t10,0" fill="none" stroke="#ffffff" stroke-width="3"/>'
    )
    return _icon(ASSURANCE_WORDS[assurance_type], COLOURS[colour], inner, size)


def _icon(words: str, colour: str, inner: str, size: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="{size}" height="{size}" '
        f'role="img" aria-label="{escape(words)}"><title>{escape(words)}</title>'
        f'<circle cx="24" cy="24" r="22" fill="{colour}"/>{inner}</svg>'
    )

"""Funnel plots and quintile charts as accessible SVG (title and description; the numbers are in the
table beside each chart). Points are marked by shape as well as colour, as in `measure.spc_chart`."""

from __future__ import annotations

from html import escape

import numpy as np

from icp.evaluation.summary import Funnel, Inequality
from icp.measure.funnel import LEVELS, limit
from icp.measure.spc_chart import COLOURS

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 340, 72, 16, 16, 48
TEXT = 'font-family="Arial, sans-serif" font-size="14" fill="#4c6272"'


def _open(title: str, description: str, element_id: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{element_id}-title {element_id}-desc" class="icp-chart">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
        f'<desc id="{element_id}-desc">{escape(description)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" '
        'fill="#ffffff" stroke="#d8dde0"/>',
    ]


def funnel_svg(funnel: Funnel, *, element_id: str = "funnel") -> str:
    """Practices' rates against their denominators, with 95% and 99.8% limits around the ICP's rate."""
    scale = funnel.info.multiplier
    denominators = np.array([p.denominator for p in funnel.points])
    rates = np.array([p.rate for p in funnel.points]) * scale
    span = np.linspace(max(denominators.min() * 0.8, 1.0), denominators.max() * 1.05, 60)
    curves = {
        (name, side): limit(probability, span, funnel.target, funnel.info.funnel_model or "poisson") * scale
        for name, pair in LEVELS.items()
        for side, probability in zip(("lower", "upper"), pair, strict=True)
    }
    values = [*rates, funnel.target * scale, *curves[("99.8%", "lower")], *curves[("99.8%", "upper")]]
    finite = [v for v in values if np.isfinite(v)]
    low, high = float(min(finite)), float(max(finite))
    high = high if high > low else low + 1
    x_low, x_high = float(span[0]), float(span[-1])

    def x_at(value: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (value - x_low) / (x_high - x_low or 1)

    def y_at(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - low) / (high - low))

    outside = [p.label for p in funnel.points if p.position != "within"]
    description = (
        f"{len(funnel.points)} practices, {funnel.first} to {funnel.last}; ICP rate "
        f"{funnel.target * scale:.2f} {funnel.info.unit}. "
        + (
            f"Outside the 95% limits: {', '.join(outside)}."
            if outside
            else "Every practice within the 95% limits."
        )
    )
    parts = _open(f"{funnel.info.title}: practices compared (funnel plot)", description, element_id)
    for (name, _side), curve in curves.items():
        path = " ".join(
            f"{x_at(x):.1f},{y_at(y):.1f}" for x, y in zip(span, curve, strict=True) if np.isfinite(y)
        )
        dash = ' stroke-dasharray="6 4"' if name == "95%" else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS["limit"]}"{dash}/>')
    target_y = y_at(funnel.target * scale)
    parts.append(
        f'<line x1="{LEFT}" y1="{target_y:.1f}" x2="{WIDTH - RIGHT}" y2="{target_y:.1f}" '
        f'stroke="{COLOURS["mean"]}"/>'
    )
    for point, rate in zip(funnel.points, rates, strict=True):
        x, y = x_at(point.denominator), y_at(rate)
        if point.position == "within":
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{COLOURS["common_cause"]}"/>')
        else:
            parts.append(
                f'<path d="M{x:.1f},{y - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{COLOURS["neutral"]}"/>'
                f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" {TEXT}>{escape(point.label)}</text>'
            )
    parts.append(
        f'<text x="{(LEFT + WIDTH) / 2:.0f}" y="{HEIGHT - 12}" text-anchor="middle" {TEXT}>'
        "Denominator (12 months)</text>"
    )
    for value in (low, (low + high) / 2, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y_at(value) + 4:.1f}" text-anchor="end" {TEXT}>{value:,.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def quintile_svg(inequality: Inequality, *, element_id: str = "quintiles") -> str:
    """Rates by deprivation quintile as bars with their 95% intervals."""
    rows = inequality.rows
    values = [v for r in rows for v in (r.rate, r.ci_low, r.ci_high) if v is not None]
    high = max(values) if values else 1.0
    high = high if high > 0 else 1.0
    band = (WIDTH - LEFT - RIGHT) / len(rows)

    def y_at(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / (high * 1.1))

    description = (
        f"{inequality.info.title}, {inequality.year}, by deprivation quintile: "
        + "; ".join(f"{r.quintile} {r.rate_text}" for r in rows)
        + f". Most deprived to least deprived ratio {inequality.ratio}."
    )
    parts = _open(f"{inequality.info.title} by deprivation quintile", description, element_id)
    for index, row in enumerate(rows):
        x = LEFT + band * index + band * 0.2
        if row.rate is not None:
            y = y_at(row.rate)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{band * 0.6:.1f}" height="{y_at(0) - y:.1f}" '
                f'fill="{COLOURS["improvement"]}"/>'
            )
        if row.ci_low is not None and row.ci_high is not None:
            middle = x + band * 0.3
            parts.append(
                f'<line x1="{middle:.1f}" y1="{y_at(row.ci_low):.1f}" x2="{middle:.1f}" '
                f'y2="{y_at(row.ci_high):.1f}" stroke="{COLOURS["mean"]}" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{x + band * 0.3:.1f}" y="{HEIGHT - 28}" text-anchor="middle" {TEXT}>'
            f"{escape(row.quintile.split(' ')[0])}</text>"
        )
    parts.append(
        f'<text x="{(LEFT + WIDTH) / 2:.0f}" y="{HEIGHT - 10}" text-anchor="middle" {TEXT}>'
        "Deprivation quintile (1 most deprived)</text>"
    )
    for value in (0.0, high / 2, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y_at(value) + 4:.1f}" text-anchor="end" {TEXT}>{value:,.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

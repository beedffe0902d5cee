"""What the evaluation pages and the committee report show, built from the published tables.

Every figure here comes from a disclosure-controlled table (`icp.evaluation.published`): SPC charts
are drawn over the published monthly rates (a suppressed month is left out of the chart and said to
be), funnel plots over twelve months of published practice counts, inequalities over the latest
year's published quintile rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from icp.evaluation.benefits import Target
from icp.evaluation.published import IndicatorInfo, catalogue, is_synthetic, table
from icp.measure.funnel import FunnelPoint, place
from icp.measure.spc import SpcChart, spc
from icp.measure.spc_chart import (
    VARIATION_WORDS,
    DataRow,
    assurance_icon_svg,
    chart_svg,
    data_rows,
    floor_words,
    floored,
    variation_icon_svg,
)

FUNNEL_MONTHS = 12
QUINTILES = {1: "1 (most deprived)", 2: "2", 3: "3", 4: "4", 5: "5 (least deprived)"}


def _number(value: object, places: int = 1) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{float(value):,.{places}f}"  # type: ignore[arg-type]


def _count(value: object) -> str:
    if value is None or pd.isna(value):
        return "suppressed"
    return f"{int(value):,}"  # type: ignore[call-overload]


@dataclass
class IndicatorChart:
    """One indicator's SPC chart over the ICP's published months."""

    info: IndicatorInfo
    chart: SpcChart | None
    svg: str
    rows: list[DataRow]
    charted: int
    suppressed_months: int
    latest_period: str
    latest_rate: str
    latest_interval: str
    variation_icon: str
    assurance_icon: str
    variation_words: str
    target: str = ""  # the target in words, where a committed business case sets one
    floored: int = 0  # points whose lower process limit is below zero, drawn at zero
    floor_words: str = ""


# Every indicator is a rate, a proportion, a count or a mean of days: none can be negative, so a
# lower process limit below zero is drawn at zero (the table keeps the limit as calculated).
FLOOR = 0.0


def indicator_charts(
    icp_code: str,
    *,
    folder: Path | None = None,
    until: date | None = None,
    targets: dict[str, Target] | None = None,
) -> tuple[list[IndicatorChart], bool]:
    """An SPC chart per indicator with published months for the ICP, and whether the data is synthetic.

    With a target (from the ICP's committed business cases, `benefits.targets_for`), the chart
    draws it and carries the Making Data Count assurance icon against it.
    """
    targets = targets or {}
    months = table("month_icp", icp_code, folder)
    if months.empty:
        return [], False
    months = months.assign(day=pd.to_datetime(months["period"]).dt.date)
    if until is not None:
        months = months[months["day"] <= until]
    charts = []
    for indicator_id, info in catalogue().items():
        rows = months[months["indicator"] == indicator_id].sort_values("day")
        if rows.empty:
            continue
        shown = rows[~rows["suppressed"].astype(bool) & rows["rate"].notna()]
        aim = targets.get(indicator_id)
        chart = (
            spc(
                list(shown["day"]),
                shown["rate"].to_numpy(dtype=float),
                improvement=info.improvement,  # type: ignore[arg-type]
                target=aim.value if aim else None,
            )
            if len(shown) >= 2
            else None
        )
        latest = rows.iloc[-1]
        charts.append(
            IndicatorChart(
                info=info,
                chart=chart,
                svg=chart_svg(
                    chart, title=f"{info.title} ({info.unit})", element_id=f"spc-{indicator_id}", floor=FLOOR
                )
                if chart
                else "",
                rows=data_rows(chart, places=2) if chart else [],
                charted=len(shown),
                suppressed_months=len(rows) - len(shown),
                latest_period=latest["day"].strftime("%B %Y"),
                latest_rate=_latest_words(latest),
                latest_interval=f"{_number(latest['ci_low'], 2)} to {_number(latest['ci_high'], 2)}"
                if pd.notna(latest["rate"])
                else "",
                variation_icon=variation_icon_svg(chart.variation) if chart and chart.variation else "",
                assurance_icon=assurance_icon_svg(chart.assurance) if chart and chart.assurance else "",
                variation_words=VARIATION_WORDS[chart.variation]
                if chart and chart.variation
                else "Not charted",
                target=_target_words(aim),
                floored=floored(chart, FLOOR) if chart else 0,
                floor_words=floor_words(FLOOR),
            )
        )
    return charts, is_synthetic(months)


def _latest_words(latest: pd.Series) -> str:
    """The latest month's rate, or why it has none: suppressed by disclosure control (a count from
    1 to 7), or nobody in its denominator."""
    if pd.notna(latest["rate"]):
        return _number(latest["rate"], 2)
    if bool(latest["suppressed"]):
        return "not shown: a count from 1 to 7 is suppressed (disclosure control)"
    return "no rate: nobody in the denominator that month"


def _target_words(aim: Target | None) -> str:
    if aim is None:
        return ""
    by = f" by {aim.by:%B %Y}" if aim.by else ""
    return f"Target {aim.value:g}{by}, set by the business case “{aim.case}”."


@dataclass
class Funnel:
    info: IndicatorInfo
    first: str
    last: str
    target: float
    points: list[FunnelPoint]
    not_shown: list[tuple[str, int]]  # practice code, months suppressed
    synthetic: bool


def practice_funnel(icp_code: str, indicator_id: str, *, folder: Path | None = None) -> Funnel | None:
    """Each practice's last twelve published months against the ICP's, as a funnel plot.

    A practice with any month suppressed is listed, not plotted: its sum would hide a count of 1 to 7
    and understate its rate.
    """
    info = catalogue().get(indicator_id)
    if info is None or info.funnel_model is None:
        return None
    practices = table("month_practice", icp_code, folder)
    if practices.empty:
        return None
    rows = practices[practices["indicator"] == indicator_id]
    periods = sorted(rows["period"].unique())[-FUNNEL_MONTHS:]
    if not periods:
        return None
    rows = rows[rows["period"].isin(periods)]
    suppressed = rows.groupby("practice_code")["suppressed"].sum()
    complete = suppressed[suppressed == 0].index
    sums = (
        rows[rows["practice_code"].isin(complete)]
        .groupby("practice_code")[["numerator", "denominator"]]
        .sum()
    )
    sums = sums[sums["denominator"] > 0]
    if sums.empty:
        return None
    target = float(sums["numerator"].sum() / sums["denominator"].sum())
    points = place(
        [str(code) for code in sums.index],
        sums["numerator"].to_numpy(dtype=float),
        sums["denominator"].to_numpy(dtype=float),
        target=target,
        model=info.funnel_model,
    )
    return Funnel(
        info=info,
        first=str(pd.Timestamp(periods[0]).strftime("%B %Y")),
        last=str(pd.Timestamp(periods[-1]).strftime("%B %Y")),
        target=target,
        points=points,
        not_shown=[(str(code), int(count)) for code, count in suppressed[suppressed > 0].items()],
        synthetic=is_synthetic(rows),
    )


@dataclass
class QuintileRow:
    quintile: str
    numerator: str
    denominator: str
    rate: float | None
    rate_text: str
    interval: str
    ci_low: float | None
    ci_high: float | None


@dataclass
class Inequality:
    info: IndicatorInfo
    year: str
    rows: list[QuintileRow] = field(default_factory=list)
    ratio: str = "-"  # most deprived / least deprived


def inequalities(icp_code: str, *, folder: Path | None = None) -> tuple[list[Inequality], bool]:
    """Each indicator's latest published year by deprivation quintile (NIMDM), with the gap as a ratio."""
    years = table("year_icp_quintile", icp_code, folder)
    if years.empty:
        return [], False
    found = []
    for indicator_id, info in catalogue().items():
        rows = years[(years["indicator"] == indicator_id) & years["deprivation_quintile"].notna()]
        if rows.empty:
            continue
        year = str(sorted(rows["period"].unique())[-1])
        latest = rows[rows["period"] == year].set_index("deprivation_quintile")
        entry = Inequality(info=info, year=year)
        for quintile, label in QUINTILES.items():
            row = latest.loc[quintile] if quintile in latest.index else None
            rate = None if row is None or pd.isna(row["rate"]) else float(row["rate"])
            entry.rows.append(
                QuintileRow(
                    quintile=label,
                    numerator=_count(None if row is None else row["numerator"]),
                    denominator=_count(None if row is None else row["denominator"]),
                    rate=rate,
                    rate_text=_number(rate, 2),
                    interval="-"
                    if row is None
                    else f"{_number(row['ci_low'], 2)} to {_number(row['ci_high'], 2)}",
                    ci_low=None if row is None or pd.isna(row["ci_low"]) else float(row["ci_low"]),
                    ci_high=None if row is None or pd.isna(row["ci_high"]) else float(row["ci_high"]),
                )
            )
        most, least = entry.rows[0].rate, entry.rows[-1].rate
        if most is not None and least:
            entry.ratio = f"{most / least:.2f}"
        found.append(entry)
    return found, is_synthetic(years)


def quarter_bounds(label: str) -> tuple[date, date]:
    """'2026-Q1' → 1 January 2026 to 31 March 2026 (calendar quarters)."""
    year_text, _, quarter_text = label.partition("-Q")
    year, quarter = int(year_text), int(quarter_text)
    if not 1 <= quarter <= 4:
        raise ValueError(f"{label!r} is not a quarter (expected YYYY-Q1 to YYYY-Q4)")
    first = date(year, 3 * quarter - 2, 1)
    last_month = 3 * quarter
    last = (pd.Timestamp(year, last_month, 1) + pd.offsets.MonthEnd(0)).date()
    return first, last


def latest_quarter(icp_code: str, *, folder: Path | None = None) -> str | None:
    """The last calendar quarter whose three months are all published for the ICP."""
    months = table("month_icp", icp_code, folder)
    if months.empty:
        return None
    days = sorted(set(pd.to_datetime(months["period"]).dt.date))
    for day in reversed(days):
        if day.month % 3 == 0:
            label = f"{day.year}-Q{day.month // 3}"
            first, _last = quarter_bounds(label)
            if first in days:
                return label
    return None


def quarter_totals(
    icp_code: str, label: str, *, folder: Path | None = None
) -> dict[str, tuple[str, str, str]]:
    """Per indicator: the quarter's published counts summed (numerator, denominator) and the mean rate."""
    first, last = quarter_bounds(label)
    months = table("month_icp", icp_code, folder)
    if months.empty:
        return {}
    months = months.assign(day=pd.to_datetime(months["period"]).dt.date)
    chosen = months[(months["day"] >= first) & (months["day"] <= last)]
    totals = {}
    for indicator_id, rows in chosen.groupby("indicator"):
        rate = rows["rate"].to_numpy(dtype=float)
        shown = rate[~np.isnan(rate)]
        totals[str(indicator_id)] = (
            _count(rows["numerator"].sum(min_count=1) if not rows["suppressed"].any() else None),
            _count(rows["denominator"].sum(min_count=1) if not rows["suppressed"].any() else None),
            _number(float(shown.mean()) if shown.size else None, 2),
        )
    return totals

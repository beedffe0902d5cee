"""An ICP's risk population in aggregate: the pyramid, tiers by practice, age band and deprivation
quintile, and frailty prevalence by practice. Counts leave the page as `icp.measure.disclosure` has
them: 1 to 7 suppressed (shown as "<8"), others rounded to the nearest 5, percentages from the
rounded counts and suppressed with them.

The figures come from the run's counts (`patients.RiskCount`, written by the sync for everyone,
every tier), not from a row per person: the app database holds rows for the listed tiers only
(ADR 0212).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.db.models import Q, QuerySet, Sum

from icp.measure.disclosure import percent, shown
from icp.partnership.models import Area, Organisation
from icp.patients.models import AGE_BANDS, RiskCount, RiskRun, RiskTier
from icp.stratify import codelists

TIERS = [t for t, _label in RiskTier.choices]
OLDER_BANDS = [label for label, low, _high in AGE_BANDS if low >= 65]


@dataclass
class Breakdown:
    """Rows of (label, link or None, shown count per tier, shown total)."""

    title: str
    rows: list[tuple[str, str | None, list[str], str]] = field(default_factory=list)


@dataclass
class Summary:
    people: int
    people_shown: str
    tier_counts: dict[str, int]
    tier_shown: list[tuple[str, str, str]]  # (tier, label, shown count)
    by_practice: Breakdown
    by_age: Breakdown
    by_deprivation: Breakdown
    # practice, its link or None, frail 65+, all 65+, percent
    frailty_by_practice: list[tuple[str, str | None, str, str, str]]
    run: RiskRun | None
    opted_out_shown: str
    synthetic: bool


def _breakdown(
    title: str,
    counts_of: QuerySet[RiskCount],
    key: str,
    labels: Mapping[Any, str],
    links: Mapping[Any, str | None] | None = None,
) -> Breakdown:
    counts: dict[object, dict[str, int]] = {}
    for row in counts_of.values(key, "tier").annotate(n=Sum("people")).order_by():
        counts.setdefault(row[key], {})[row["tier"]] = row["n"]
    breakdown = Breakdown(title)
    for value in sorted(counts, key=lambda v: (v is None, str(labels.get(v, v)))):
        tiers = counts[value]
        breakdown.rows.append(
            (
                labels.get(value, str(value)),
                (links or {}).get(value),
                [shown(tiers.get(t, 0)) for t in TIERS],
                shown(sum(tiers.values())),
            )
        )
    return breakdown


def summarise(icp: Area, practice_link: Callable[[Organisation], str | None] | None = None) -> Summary:
    """The ICP's figures; `practice_link` names the page a practice's row opens (its worklist, for
    a user who may use it), or None to show the practice unlinked."""
    counts_of = RiskCount.objects.filter(icp=icp)
    tier_counts = {t: 0 for t in TIERS}
    for tier_row in counts_of.values("tier").annotate(n=Sum("people")).order_by():
        tier_counts[tier_row["tier"]] = tier_row["n"]
    practice_rows = list(icp.practices.all())
    practices: dict[int | None, str] = {p.pk: p.name for p in practice_rows}
    practices[None] = "No registered practice"
    links: dict[int | None, str | None] = {
        p.pk: practice_link(p) if practice_link is not None else None for p in practice_rows
    }
    quintiles: dict[object, str] = {
        q: f"{q} ({'most' if q == 1 else 'least' if q == 5 else ''} deprived)".replace(" ( deprived)", "")
        for q in range(1, 6)
    }
    quintiles[None] = "Not known"
    frailty = []
    older = (
        counts_of.filter(age_band__in=OLDER_BANDS)
        .values("practice")
        .annotate(all_65=Sum("people"), frail=Sum("people", filter=Q(frail=True), default=0))
        .order_by()
    )
    for row in sorted(older, key=lambda r: practices.get(r["practice"], "")):
        frailty.append(
            (
                practices.get(row["practice"], "Unknown"),
                links.get(row["practice"]),
                shown(row["frail"]),
                shown(row["all_65"]),
                percent(row["frail"], row["all_65"]),
            )
        )
    run = RiskRun.objects.filter(icp=icp).first()
    opted_out = run.planning_opt_outs_left_out if run else 0
    return Summary(
        people=sum(tier_counts.values()),
        people_shown=shown(sum(tier_counts.values())),
        tier_counts=tier_counts,
        tier_shown=[(t, label, shown(tier_counts[t])) for t, label in RiskTier.choices],
        by_practice=_breakdown("Tier by practice", counts_of, "practice", dict(practices), links),
        by_age=_breakdown("Tier by age band", counts_of, "age_band", {}),
        by_deprivation=_breakdown(
            "Tier by deprivation quintile (NIMDM)", counts_of, "deprivation_quintile", quintiles
        ),
        frailty_by_practice=frailty,
        run=run,
        opted_out_shown=shown(opted_out) if opted_out else "0",
        synthetic=counts_of.filter(synthetic=True).exists(),
    )


def pyramid_svg(summary: Summary) -> str:
    """The risk pyramid as an SVG drawing: one band per tier, widest at the bottom, with counts."""
    width, band, gap = 560, 54, 6
    labels = dict(RiskTier.choices)
    colours = {"very_high": "#d5281b", "high": "#ed8b00", "moderate": "#ffb81c", "low": "#007f3b"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {4 * (band + gap)}" role="img" '
        f'aria-labelledby="pyramid-title"><title id="pyramid-title">Risk pyramid: '
        + ", ".join(f"{labels[t]} {shown(summary.tier_counts[t])}" for t in TIERS)
        + "</title>"
    ]
    for level, tier in enumerate(TIERS):
        top_half = (level + 0.6) / 4.6 * width / 2
        bottom_half = (level + 1.6) / 4.6 * width / 2
        y0, y1 = level * (band + gap), level * (band + gap) + band
        mid = width / 2
        corners = [
            (mid - top_half, y0),
            (mid + top_half, y0),
            (mid + bottom_half, y1),
            (mid - bottom_half, y1),
        ]
        points = " ".join(f"{x:.0f},{y:.0f}" for x, y in corners)
        text_colour = "#212b32" if tier in ("moderate", "high") else "#ffffff"
        parts.append(f'<polygon points="{points}" fill="{colours[tier]}"/>')
        words = f"{escape(labels[tier])}: {escape(shown(summary.tier_counts[tier]))}"
        parts.append(
            f'<text x="{mid:.0f}" y="{y0 + band / 2 + 6:.0f}" text-anchor="middle" '
            f'font-family="Arial, sans-serif" font-size="17" fill="{text_colour}">{words}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def hfrs_code_rows(codes: list[str]) -> list[tuple[str, str, str]]:
    """(code, description, weight) for a person's HFRS codes."""
    weights = codelists.hfrs_weights_tenths()
    descriptions = codelists.hfrs_descriptions()
    return [(c, descriptions.get(c, ""), f"{weights.get(c, 0) / 10:.1f}") for c in codes]

"""Risk tiers by a configurable pyramid (the "Kaiser pyramid"), ranked by model risk within each ICP.

Default: very high = top 0.5%, high = next 4.5%, moderate = next 15%, low = the rest. A person's
tier depends on their rank within their own ICP, so each ICP's pyramid has the same shape.
Ties in risk are broken by patient id, so the same run always gives the same tiers.

When no admission model can be fitted (too few emergency admissions in the history, as in a
GP-only extract), people are ranked by RULE_BASED_ORDER instead: the rule-based scores compared
one after another (docs/risk-stratification.md, "Without a model").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Tier:
    name: str
    label: str
    share: float | None  # None: everyone left


DEFAULT_PYRAMID: tuple[Tier, ...] = (
    Tier("very_high", "Very high", 0.005),
    Tier("high", "High", 0.045),
    Tier("moderate", "Moderate", 0.15),
    Tier("low", "Low", None),
)
TIER_LABELS = {tier.name: tier.label for tier in DEFAULT_PYRAMID}


def parse_pyramid(text: str) -> tuple[Tier, ...]:
    """'0.5,4.5,15' (percent per tier from the top; the last tier takes the rest) → tiers."""
    try:
        shares = [float(part) / 100 for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(
            f"pyramid {text!r}: expected percentages separated by commas, e.g. 0.5,4.5,15"
        ) from None
    if len(shares) != 3 or any(s <= 0 for s in shares) or sum(shares) >= 1:
        raise ValueError(f"pyramid {text!r}: give three positive percentages summing to under 100")
    top = [Tier(t.name, t.label, s) for t, s in zip(DEFAULT_PYRAMID[:3], shares, strict=True)]
    return (*top, DEFAULT_PYRAMID[3])


def assign(
    icp: pa.ChunkedArray | pa.Array,
    patient_id: pa.ChunkedArray | pa.Array,
    risk: np.ndarray,
    pyramid: tuple[Tier, ...] = DEFAULT_PYRAMID,
) -> tuple[np.ndarray, np.ndarray]:
    """(tier name per person, rank within ICP from 1 = highest risk)."""
    n = risk.size
    tiers = np.empty(n, dtype=object)
    ranks = np.zeros(n, dtype=np.int64)
    people = pa.table(
        {
            "icp": pc.cast(icp, pa.string()),
            "risk": pa.array(np.asarray(risk, dtype=np.float64)),
            "patient_id": pc.cast(patient_id, pa.string()),
        }
    )
    # One sort for everyone (Arrow's, on two threads' worth of data in a second or two, where a
    # NumPy sort of Python strings per ICP took ten): by ICP, risk descending, then patient id.
    order = pc.sort_indices(
        people, sort_keys=[("icp", "ascending"), ("risk", "descending"), ("patient_id", "ascending")]
    ).to_numpy()
    counts = pc.value_counts(people.column("icp")).to_pylist()
    first = 0
    for size in [count["counts"] for count in sorted(counts, key=lambda count: count["values"])]:
        members = order[first : first + size]
        first += size
        ranks[members] = np.arange(1, size + 1)
        start, cumulative = 0, 0.0
        for tier in pyramid:
            # Boundaries from the cumulative share, so rounding does not pile up down the pyramid.
            cumulative = 1.0 if tier.share is None else cumulative + tier.share
            end = min(size, round(size * cumulative))
            tiers[members[start:end]] = tier.name
            start = end
    return tiers, ranks


# The ranking used without a model: each column compared in turn, highest first, then patient id.
# Prior emergency admissions are the strongest single predictor of the next one in published
# admission models (SPARRA, PARR, QAdmissions), so they come first; then frailty (eFI, HFRS),
# comorbidity (Charlson), the number of long-term conditions, and age.
RULE_BASED_ORDER: tuple[tuple[str, str], ...] = (
    ("emergency_admissions_12m", "emergency admissions in the last 12 months"),
    ("efi_score", "eFI"),
    ("hfrs_score", "HFRS"),
    ("charlson_score", "Charlson index"),
    ("register_count", "number of condition registers"),
    ("age", "age"),
)
RULE_BASED_VERSION = "rule-based"


def rule_based_priority(scores: pa.Table) -> npt.NDArray[np.float64]:
    """A priority per person (higher = ranked first) by RULE_BASED_ORDER, ties by patient id.

    Feed it to `assign` in place of model risk: the values are distinct, so `assign` ranks exactly
    in this order within each ICP.
    """
    n = scores.num_rows
    ids = np.asarray(
        pc.cast(scores.column("patient_id"), pa.string()).to_numpy(zero_copy_only=False), dtype=object
    )
    keys = []
    for column, _words in reversed(RULE_BASED_ORDER):  # np.lexsort's last key is the primary one
        values = pc.cast(scores.column(column), pa.float64()).to_numpy(zero_copy_only=False)
        keys.append(-np.nan_to_num(np.asarray(values, dtype=np.float64), nan=-np.inf))
    # Patient id breaks ties (ascending), as in `assign`; it is the least significant key.
    order = np.lexsort([np.unique(ids, return_inverse=True)[1], *keys])
    priority = np.empty(n, dtype=np.float64)
    priority[order] = np.arange(n, 0, -1, dtype=np.float64)
    return priority

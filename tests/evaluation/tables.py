"""Small published tables for the evaluation tests, computed here the way `icp measure` publishes them.

True monthly counts are drawn (fixed seed) for an ICP and its practices, then put through the one
disclosure-control module with rates and exact 95% intervals derived from the disclosed counts. The
shape is that of the published tables (`icp.evaluation.published`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

from icp.measure.disclosure import disclose_table

MONTHS = [f"{2023 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}-01" for m in range(36)]  # April 2023 on
# indicator: (multiplier, people, events per person a month)
RATES = {"emergency_admissions_65": (1000.0, 18000, 0.021), "frail_with_care_plan": (100.0, 900, 0.35)}


def _intervals(multiplier: float, proportion: bool):  # type: ignore[no-untyped-def]
    def derive(rows: pd.DataFrame) -> pd.DataFrame:
        top = rows["numerator"].to_numpy(dtype=float)
        bottom = rows["denominator"].to_numpy(dtype=float)
        if proportion:  # Clopper-Pearson, from scipy's beta quantiles
            low = np.where(top > 0, stats.beta.ppf(0.025, top, bottom - top + 1), 0.0)
            high = np.where(top < bottom, stats.beta.ppf(0.975, top + 1, bottom - top), 1.0)
        else:  # exact Poisson (Garwood), from scipy's chi-squared quantiles
            low = np.where(top > 0, stats.chi2.ppf(0.025, 2 * top) / 2, 0.0) / bottom
            high = stats.chi2.ppf(0.975, 2 * top + 2) / 2 / bottom
        return rows.assign(rate=multiplier * top / bottom, ci_low=multiplier * low, ci_high=multiplier * high)

    return derive


def _publish(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    multiplier = RATES[indicator][0]
    derive = _intervals(multiplier, proportion=indicator == "frail_with_care_plan")
    return disclose_table(frame.assign(rate=np.nan, ci_low=np.nan, ci_high=np.nan), derive=derive).assign(
        indicator=indicator, synthetic=True
    )


def published_tables(
    folder: Path, icp: str, practices: list[str], *, seed: int = 11, shift: bool = True
) -> Path:
    """Write month_icp, month_practice and year_icp_quintile for ``icp`` into ``folder``.

    The first practice has twice the others' emergency admission rate (a funnel outlier); the last is
    small (some months suppressed). With ``shift``, admissions fall by a quarter over the last 9 months.
    """
    random = np.random.default_rng(seed)
    weights = np.array([1.0] * (len(practices) - 1) + [0.02])
    weights = weights / weights.sum()
    month_icp, month_practice, quintile = [], [], []
    for indicator, (_multiplier, people, rate) in RATES.items():
        for index, month in enumerate(MONTHS):
            factor = (
                0.75 if shift and index >= len(MONTHS) - 9 and indicator == "emergency_admissions_65" else 1.0
            )
            sizes = np.maximum((people * weights).round(), 1)
            practice_rate = np.full(len(practices), rate * factor)
            if indicator == "emergency_admissions_65":
                practice_rate[0] *= 2
            if indicator == "frail_with_care_plan":
                counts = random.binomial(sizes.astype(int), np.minimum(practice_rate, 1))
            else:
                counts = random.poisson(sizes * practice_rate)
            rows = pd.DataFrame(
                {
                    "period": month,
                    "icp": icp,
                    "practice_code": practices,
                    "numerator": counts,
                    "denominator": sizes,
                }
            )
            month_practice.append(_publish(rows, indicator))
            month_icp.append(
                _publish(
                    pd.DataFrame(
                        {
                            "period": [month],
                            "icp": [icp],
                            "numerator": [counts.sum()],
                            "denominator": [sizes.sum()],
                        }
                    ),
                    indicator,
                )
            )
        for year in ("2024/25", "2025/26"):
            gradient = np.array([1.6, 1.3, 1.1, 0.9, 0.7])
            denominators = np.full(5, people / 5).round()
            counts = random.poisson(denominators * rate * 12 * gradient / 12)
            quintile.append(
                _publish(
                    pd.DataFrame(
                        {
                            "period": year,
                            "icp": icp,
                            "deprivation_quintile": [1, 2, 3, 4, 5],
                            "numerator": counts,
                            "denominator": denominators,
                        }
                    ),
                    indicator,
                )
            )
    folder.mkdir(parents=True, exist_ok=True)
    for name, parts in (
        ("month_icp", month_icp),
        ("month_practice", month_practice),
        ("year_icp_quintile", quintile),
    ):
        frame = pd.concat(parts, ignore_index=True)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.parquet")
    return folder

"""The published indicator tables, as `icp measure --out` writes them, read for the pages.

`icp measure` writes each published table (already disclosure-controlled by `icp.measure.disclosure`)
as Parquet beside its CSV: `month_icp`, `month_practice`, `year_icp_quintile` and `year_icp_age_sex`,
with the columns `indicator, period, icp, practice_code, deprivation_quintile, age_band, sex,
numerator, denominator, rate, ci_low, ci_high, ..., suppressed, unit, synthetic`. The pages read them
from `ICP_DATA_DIR/indicators/` (or `settings.ICP_INDICATORS_DIR`) and never see an undisclosed count.

The indicator definitions (title, unit, which way is better, how the interval is made) come from
`icp.measure.indicators`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from django.conf import settings

from icp.config import data_dir
from icp.measure.funnel import Model

TABLES = ("month_icp", "month_practice", "year_icp_quintile", "year_icp_age_sex")
# How each definition's interval says its counts arise, for the funnel plot's limits.
FUNNEL_MODELS: dict[str, Model] = {"byar": "poisson", "wilson": "binomial"}


def indicators_dir() -> Path:
    configured = getattr(settings, "ICP_INDICATORS_DIR", None)
    return Path(configured) if configured else data_dir() / "indicators"


@dataclass(frozen=True)
class IndicatorInfo:
    """What a page needs to know of an indicator's definition."""

    id: str
    title: str
    description: str
    unit: str
    improvement: str  # up, down or neutral
    funnel_model: Model | None  # None: a mean, which a funnel of counts does not fit
    multiplier: float


@cache
def catalogue() -> dict[str, IndicatorInfo]:
    """Every indicator definition, by id, in the order the definitions list them."""
    from icp.measure.indicators.definition import indicators

    return {
        definition.id: IndicatorInfo(
            id=definition.id,
            title=definition.title,
            description=definition.description,
            unit=definition.unit,
            improvement=definition.improvement,
            funnel_model=FUNNEL_MODELS.get(definition.interval),
            multiplier=definition.multiplier,
        )
        for definition in indicators()
    }


# Each table read once per change of its file (the pages read it on every request).
_cache: dict[Path, tuple[float, pd.DataFrame]] = {}


def table(name: str, icp_code: str, folder: Path | None = None) -> pd.DataFrame:
    """One published table's rows for one ICP (empty, with no columns, if it has not been published)."""
    if name not in TABLES:
        raise KeyError(f"no published table {name!r}")
    path = (folder or indicators_dir()) / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame()
    mtime = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, pq.read_table(path).to_pandas())
        _cache[path] = cached
    frame = cached[1]
    return frame[frame["icp"] == icp_code].reset_index(drop=True)


def is_synthetic(frame: pd.DataFrame) -> bool:
    return bool("synthetic" in frame.columns and frame["synthetic"].fillna(True).astype(bool).any())

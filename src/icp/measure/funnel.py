"""Funnel plots: comparing practices with their ICP without ranking them.

Each practice's rate is plotted against its denominator; the limits are where 95% and 99.8% of
practices would fall if every practice had the ICP's rate, so they widen as the denominator shrinks.
The limits are exact, with Spiegelhalter's interpolation for the discreteness of counts:
Spiegelhalter D J, "Funnel plots for comparing institutional performance", Statistics in Medicine
2005;24:1185-1202 (appendix A.1.1), with binomial counts for proportions and Poisson counts for rates
(person-time denominators), from scipy.stats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

Model = Literal["binomial", "poisson"]
LEVELS = {"95%": (0.025, 0.975), "99.8%": (0.001, 0.999)}

Floats = npt.NDArray[np.float64]


def limit(probability: float, denominators: npt.ArrayLike, target: float, model: Model) -> Floats:
    """The ``probability`` quantile of the rate at each denominator, if the true rate were ``target``."""
    n = np.asarray(denominators, dtype=float)
    distribution = stats.binom(n.round(), target) if model == "binomial" else stats.poisson(n * target)
    count = distribution.ppf(probability)
    below = distribution.cdf(count - 1)
    at = distribution.cdf(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(at > below, (at - probability) / (at - below), 0.0)
        result: Floats = np.where(n > 0, (count - alpha) / n, np.nan)
    return result


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    numerator: float
    denominator: float
    rate: float
    position: str  # "above 99.8%", "above 95%", "within", "below 95%", "below 99.8%"


def place(
    labels: list[str], numerators: npt.ArrayLike, denominators: npt.ArrayLike, *, target: float, model: Model
) -> list[FunnelPoint]:
    """Each unit's rate and where it falls against the funnel's limits."""
    top = np.asarray(numerators, dtype=float)
    bottom = np.asarray(denominators, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(bottom > 0, top / bottom, np.nan)
    bounds = {
        name: (limit(low, bottom, target, model), limit(high, bottom, target, model))
        for name, (low, high) in LEVELS.items()
    }
    points = []
    for index, label in enumerate(labels):
        rate = float(rates[index])
        if rate > bounds["99.8%"][1][index]:
            position = "above 99.8%"
        elif rate > bounds["95%"][1][index]:
            position = "above 95%"
        elif rate < bounds["99.8%"][0][index]:
            position = "below 99.8%"
        elif rate < bounds["95%"][0][index]:
            position = "below 95%"
        else:
            position = "within"
        points.append(FunnelPoint(label, float(top[index]), float(bottom[index]), rate, position))
    return points

"""Funnel-plot limits: exact (Spiegelhalter 2005, with interpolation), close to the normal
approximation for large denominators, and holding the nominal share of in-control units."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from icp.measure.funnel import limit, place


def test_the_interpolated_binomial_limit_worked_by_hand() -> None:
    # n = 100, p = 0.5: the 97.5% quantile is 60 (cdf 59 = 0.97156, cdf 60 = 0.98240), so
    # alpha = (0.98240 - 0.975) / (0.98240 - 0.97156) = 0.6826 and the limit is (60 - 0.6826) / 100.
    assert limit(0.975, [100], 0.5, "binomial")[0] == pytest.approx(0.593174, abs=1e-5)


@pytest.mark.parametrize("model", ["binomial", "poisson"])
def test_large_denominators_approach_the_normal_limits(model: str) -> None:
    n, target = 200_000.0, 0.02
    spread = np.sqrt(target * (1 - target) / n) if model == "binomial" else np.sqrt(target / n)
    assert limit(0.975, [n], target, model)[0] == pytest.approx(target + 1.959964 * spread, rel=1e-3)  # type: ignore[arg-type]
    assert limit(0.001, [n], target, model)[0] == pytest.approx(target - 3.090232 * spread, rel=1e-3)  # type: ignore[arg-type]


def test_in_control_units_fall_outside_as_often_as_the_limits_say() -> None:
    # Counts are whole, so a unit is above the interpolated 97.5% limit when its count reaches the
    # quantile: a little more often than 2.5%. The share seen must match that exact probability.
    random = np.random.default_rng(7)
    sizes = random.integers(200, 5000, size=20_000)
    counts = random.poisson(sizes * 0.03)
    points = place([str(i) for i in range(sizes.size)], counts, sizes, target=0.03, model="poisson")
    above = np.mean([p.position in ("above 95%", "above 99.8%") for p in points])
    upper = limit(0.975, sizes, 0.03, "poisson")
    expected = np.mean(stats.poisson.sf(np.floor(upper * sizes), sizes * 0.03))
    assert 0.025 < expected < 0.035
    assert above == pytest.approx(expected, abs=0.004)


def test_a_unit_at_twice_the_rate_is_placed_above() -> None:
    points = place(["a", "b"], [60, 30], [1000, 1000], target=0.03, model="poisson")
    assert [p.position for p in points] == ["above 99.8%", "within"]
    assert points[0].rate == pytest.approx(0.06)

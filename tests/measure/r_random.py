"""R's default random numbers (Mersenne-Twister, normals by inversion), so that the data sets of
NHSRplotthedots' tests (`set.seed(123); rnorm(20)`) are rebuilt here exactly rather than pasted.

Follows R's src/main/RNG.c: `set.seed` scrambles the seed with 69069 * seed + 1 (50 times, then once
per state word), and `norm_rand` (INVERSION) joins two uniforms into one of 2^-27 * 2^-32 precision
before the normal quantile function.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

_BIG = 134217728  # 2^27
_MASK = 0xFFFFFFFF


class RRandom:
    """R's random number stream after `set.seed(seed)`."""

    def __init__(self, seed: int) -> None:
        word = seed & _MASK
        for _ in range(50):
            word = (69069 * word + 1) & _MASK
        state = []
        for _ in range(625):
            word = (69069 * word + 1) & _MASK
            state.append(word)
        # state[0] is R's `mti`, reset to 624 by FixupSeeds: the next draw regenerates the table.
        self._generator = np.random.MT19937()
        self._generator.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.array(state[1:], dtype=np.uint32), "pos": 624},
        }

    def _uniform(self) -> float:
        value = float(self._generator.random_raw()) * 2.3283064365386963e-10
        return min(max(value, 0.5 * 2.328306437080797e-10), 1.0 - 0.5 * 2.328306437080797e-10)

    def rnorm(self, count: int, mean: float = 0.0) -> list[float]:
        draws = []
        for _ in range(count):
            u = self._uniform()
            u = int(_BIG * u) + self._uniform()
            draws.append(mean + float(ndtri(u / _BIG)))
        return draws

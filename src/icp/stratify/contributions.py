"""Per-person TreeSHAP contributions, worked out once per distinct way through each tree.

LightGBM's `pred_contrib` runs TreeSHAP for every row and every tree: for a run's ~100,000
top-tier people and 120 trees that is most of the model stage (~20 s of a national run). Yet
TreeSHAP (path-dependent, Lundberg et al. 2020, Algorithm 2) reads a row's values only where a
split compares them with its threshold: two rows that fall on the same side of every split of a
tree get exactly the same contributions from that tree. In a national population most rows share
their way through any one tree with many others (a tree of 24 leaves and a few features), so each
tree is asked about one row per distinct way only, by LightGBM itself (`start_iteration=t,
num_iteration=1`), and the answer is copied to the rows that share it. The sum over trees is
LightGBM's own answer for the whole model (the last column, the expected value, is the sum of the
trees' expected values); tests check the two agree to rounding (tests/stratify/test_contributions.py).

A row's way through a tree is found from the tree's thresholds (from `dump_model`): for every
feature the tree splits on, which gap between its sorted thresholds the value falls in, with a
missing value and zero kept apart from every gap (LightGBM may send either to a default side).
Keeping them apart can only make the groups finer than needed, never coarser, so grouping never
changes an answer. A tree with a categorical split, which is not a threshold, is asked about every
row, as is a model whose trees are not plain (linear trees).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

# Mixed-radix keys above this would overflow int64; such a tree groups its rows by their codes.
LARGEST_KEY = 2**62
THREADS = 2


@dataclass(frozen=True)
class TreeSplits:
    """One tree's thresholds per feature (sorted), or None when the tree has a non-threshold split."""

    thresholds: dict[int, np.ndarray] | None


def tree_splits(booster: lgb.Booster) -> list[TreeSplits]:
    """Every tree's split features and thresholds, read from the model's dump."""
    dump = booster.dump_model()
    plain = not any(info.get("is_linear") for info in dump["tree_info"])
    trees = []
    for info in dump["tree_info"]:
        found: dict[int, set[float]] = {}
        numeric = plain and _collect(info["tree_structure"], found)
        trees.append(
            TreeSplits(
                {f: np.array(sorted(t), dtype=np.float64) for f, t in found.items()} if numeric else None
            )
        )
    return trees


def _collect(node: dict[str, Any], found: dict[int, set[float]]) -> bool:
    """Add the subtree's (feature, threshold) splits to `found`; False on a split that is not `<=`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if "split_feature" not in current:
            continue
        if current.get("decision_type") != "<=":
            return False
        found.setdefault(int(current["split_feature"]), set()).add(float(current["threshold"]))
        stack.extend((current["left_child"], current["right_child"]))
    return True


def contributions(
    booster: lgb.Booster, features: np.ndarray, trees: list[TreeSplits] | None = None
) -> np.ndarray:
    """Per-row, per-feature contributions to the log-odds (last column: the expected value), as
    `booster.predict(features, pred_contrib=True)` gives them, each tree asked once per way through it."""
    trees = trees if trees is not None else tree_splits(booster)
    rows, width = features.shape
    # Feature by feature (one row of this per feature): a tree adds to its few features' rows whole.
    total = np.zeros((width + 1, rows), dtype=np.float64)
    if rows == 0:
        return total.T
    gaps = Gaps.of(features, trees)
    for index, tree in enumerate(trees):
        if tree.thresholds is None:
            total += _ask(booster, features, index).T
            continue
        first, shared = _ways(gaps, tree.thresholds)
        answer = _ask(booster, features[first], index)
        # Only the tree's own features and the expected value can be non-zero: each is added to its
        # own row of the total in place (a fancy-indexed block of rows would be copied out and back).
        for column in (*sorted(tree.thresholds), width):
            total[column] += answer[:, column][shared]
    return np.ascontiguousarray(total.T)


def distinct_ways(features: np.ndarray, trees: list[TreeSplits]) -> list[int]:
    """How many distinct ways through each plain tree the rows take: the rows each tree is asked about."""
    gaps = Gaps.of(features, trees)
    return [len(_ways(gaps, tree.thresholds)[0]) for tree in trees if tree.thresholds is not None]


def _ask(booster: lgb.Booster, features: np.ndarray, tree: int) -> np.ndarray:
    return np.asarray(
        booster.predict(
            features, start_iteration=tree, num_iteration=1, pred_contrib=True, num_threads=THREADS
        ),
        dtype=np.float64,
    )


@dataclass(frozen=True)
class Gaps:
    """Each row's place among all the trees' thresholds of each feature, found once for every tree.

    A code per row and feature: 0 missing, 1 zero, 2 + how many of the thresholds lie below the
    value (x <= t goes left). A tree's thresholds of a feature are some of these, so its own codes
    are a lookup of these (`tree_codes`), not a search of every row per tree.
    """

    rows: int
    cuts: dict[int, np.ndarray]
    codes: dict[int, np.ndarray]

    @classmethod
    def of(cls, features: np.ndarray, trees: list[TreeSplits]) -> Gaps:
        found: dict[int, list[np.ndarray]] = {}
        for tree in trees:
            for feature, cuts in (tree.thresholds or {}).items():
                found.setdefault(feature, []).append(cuts)
        union = {feature: np.unique(np.concatenate(parts)) for feature, parts in found.items()}
        codes = {}
        for feature, cuts in union.items():
            # As doubles, as LightGBM compares them.
            values = np.asarray(features[:, feature], dtype=np.float64)
            code = np.searchsorted(cuts, values, side="left").astype(np.int64) + 2
            code[values == 0] = 1
            code[np.isnan(values)] = 0
            codes[feature] = code
        return cls(features.shape[0], union, codes)

    def tree_codes(self, feature: int, cuts: np.ndarray) -> np.ndarray:
        """The rows' codes among one tree's thresholds `cuts` of `feature` (a subset of all of them)."""
        union = self.cuts[feature]
        # A value in gap g of all the thresholds (after union[g - 1]) has as many of the tree's
        # thresholds below it as lie at or below union[g - 1].
        table = np.empty(len(union) + 3, dtype=np.int64)
        table[:2] = (0, 1)
        table[2:] = np.searchsorted(cuts, np.concatenate([[-np.inf], union]), side="right") + 2
        return np.take(table, self.codes[feature])


def _ways(gaps: Gaps, thresholds: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(one row index per distinct way through the tree, each row's way as an index into those)."""
    codes = []
    radix = 1
    for feature, cuts in sorted(thresholds.items()):
        codes.append((gaps.tree_codes(feature, cuts), len(cuts) + 3))
        radix *= len(cuts) + 3
    if radix <= LARGEST_KEY:
        key = np.zeros(gaps.rows, dtype=np.int64)  # a tree of one leaf: one way for everyone
        for code, size in codes:
            key = key * size + code
    else:
        stacked = np.column_stack([code for code, _size in codes])
        key = np.unique(stacked, axis=0, return_inverse=True)[1].reshape(-1)
    # A hash of the keys, not a sort: ways are numbered in the order rows first take them, so a
    # row takes a new way exactly when its number is above every number before it.
    shared, _ways_found = pd.factorize(key)
    first = np.flatnonzero(np.concatenate([[True], shared[1:] > np.maximum.accumulate(shared)[:-1]]))
    return first, shared

"""Contributions worked out once per way through each tree are LightGBM's own TreeSHAP answer."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from icp.stratify import contributions
from icp.stratify.model import BOOST_ROUNDS, LIGHTGBM_PARAMETERS


def _people(rows: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Features shaped as a run's are: ages, counts, flags that are mostly zero, measurements that
    are often missing (NaN) and a value sitting exactly on round numbers; an outcome that depends on them."""
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 100, rows).astype(np.float32)
    admissions = rng.poisson(0.2, rows).astype(np.float32)
    flag = (rng.random(rows) < 0.1).astype(np.float32)
    efi = np.round(rng.beta(1, 8, rows) * 36) / 36
    systolic = rng.normal(135, 18, rows)
    systolic[rng.random(rows) < 0.4] = np.nan
    egfr = np.round(rng.normal(75, 20, rows))
    egfr[rng.random(rows) < 0.6] = np.nan
    features = np.column_stack([age, admissions, flag, efi, systolic, egfr]).astype(np.float32)
    logit = -4 + 0.03 * age + 0.9 * admissions + 0.7 * flag + 3 * efi + 0.01 * np.nan_to_num(systolic - 135)
    outcome = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    return features, outcome


@pytest.fixture(scope="module")
def booster() -> lgb.Booster:
    features, outcome = _people(20_000)
    parameters = {**LIGHTGBM_PARAMETERS, "min_data_in_leaf": 50}
    return lgb.train(parameters, lgb.Dataset(features, outcome), num_boost_round=BOOST_ROUNDS)


def test_grouped_contributions_equal_lightgbm_treeshap_row_for_row(booster: lgb.Booster) -> None:
    features, _outcome = _people(5_000, seed=11)

    ours = contributions.contributions(booster, features)

    theirs = np.asarray(booster.predict(features, pred_contrib=True))
    assert ours.shape == theirs.shape == (5_000, features.shape[1] + 1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    # And they explain the prediction: contributions sum to the log-odds.
    np.testing.assert_allclose(ours.sum(axis=1), booster.predict(features, raw_score=True), atol=1e-9)


def test_a_column_major_matrix_gets_the_same_answers(booster: lgb.Booster) -> None:
    """Runs build their feature matrix column-major (features.matrix): LightGBM must read it as it
    reads a row-major one, for predictions and for contributions alike."""
    features, _outcome = _people(5_000, seed=13)
    by_columns = np.asfortranarray(features)
    assert by_columns.flags["F_CONTIGUOUS"] and not by_columns.flags["C_CONTIGUOUS"]

    assert np.array_equal(booster.predict(by_columns), booster.predict(features))
    assert np.array_equal(
        contributions.contributions(booster, by_columns), contributions.contributions(booster, features)
    )


def test_values_on_a_threshold_missing_or_zero_take_lightgbm_s_way(booster: lgb.Booster) -> None:
    """Rows built from the trees' own thresholds, from just below and above them, zeros and NaNs:
    the places where a grouping by value ranges could go wrong."""
    trees = contributions.tree_splits(booster)
    cuts = {
        f: np.unique(np.concatenate([t.thresholds[f] for t in trees if t.thresholds and f in t.thresholds]))
        for f in range(6)
    }
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(2_000):
        row = []
        for feature in range(6):
            choice = rng.integers(0, 5)
            edge = rng.choice(cuts[feature]) if len(cuts[feature]) else 1.0
            row.append([edge, np.nextafter(edge, np.inf), np.nextafter(edge, -np.inf), 0.0, np.nan][choice])
        rows.append(row)
    features = np.array(rows, dtype=np.float64)

    np.testing.assert_allclose(
        contributions.contributions(booster, features),
        booster.predict(features, pred_contrib=True),
        atol=1e-9,
    )


def test_a_tree_split_on_a_category_is_asked_about_every_row() -> None:
    rng = np.random.default_rng(5)
    setting = rng.integers(0, 3, 4_000)  # a category's codes: gp, A&E, inpatient
    age = rng.integers(0, 100, 4_000)
    features = np.column_stack([setting, age]).astype(np.float64)
    outcome = ((setting == 1) & (age > 60)).astype(int)
    dataset = lgb.Dataset(features, outcome, categorical_feature=[0])
    model = lgb.train({"objective": "binary", "verbose": -1, "min_data_in_leaf": 20}, dataset, 10)
    trees = contributions.tree_splits(model)
    assert any(tree.thresholds is None for tree in trees)

    ours = contributions.contributions(model, features, trees)

    np.testing.assert_allclose(ours, model.predict(features, pred_contrib=True), atol=1e-9)


def test_no_rows_give_no_contributions(booster: lgb.Booster) -> None:
    assert contributions.contributions(booster, np.empty((0, 6), dtype=np.float32)).shape == (0, 7)


def test_each_tree_is_asked_about_fewer_rows_than_the_population(booster: lgb.Booster) -> None:
    """The point of grouping: in a population, rows share their way through a tree."""
    features, _outcome = _people(10_000, seed=13)
    trees = contributions.tree_splits(booster)
    asked = contributions.distinct_ways(features, trees)
    assert len(asked) == len(trees)
    assert np.mean(asked) < 0.5 * len(features)


def test_a_tree_s_codes_looked_up_from_all_thresholds_equal_a_search_of_its_own(booster: lgb.Booster) -> None:
    """Gaps: one search per feature among every tree's thresholds, then a lookup per tree, gives each
    row the place it has among that tree's own thresholds (on them, beside them, zero and missing)."""
    trees = contributions.tree_splits(booster)
    every = {
        f: np.unique(np.concatenate([t.thresholds[f] for t in trees if t.thresholds and f in t.thresholds]))
        for f in range(6)
    }
    values = np.concatenate(
        [every[0], np.nextafter(every[0], np.inf), np.nextafter(every[0], -np.inf), [0.0, np.nan, -1e9, 1e9]]
    )
    features = np.zeros((len(values), 6))
    features[:, 0] = values
    gaps = contributions.Gaps.of(features, trees)
    checked = 0
    for tree in trees:
        if tree.thresholds is None or 0 not in tree.thresholds:
            continue
        own = tree.thresholds[0]
        expected = np.searchsorted(own, values, side="left") + 2
        expected[values == 0] = 1
        expected[np.isnan(values)] = 0
        np.testing.assert_array_equal(gaps.tree_codes(0, own), expected)
        checked += 1
    assert checked > 10  # most trees split on age


def test_a_tree_of_one_leaf_has_one_way_for_everyone() -> None:
    """A tree that found no split to make (all of a small ICP's people alike to it) still adds its value."""
    features, outcome = _people(300)
    model = lgb.train(
        {"objective": "binary", "verbose": -1, "min_data_in_leaf": 400}, lgb.Dataset(features, outcome), 3
    )
    trees = contributions.tree_splits(model)
    assert all(tree.thresholds == {} for tree in trees)

    ours = contributions.contributions(model, features, trees)

    assert contributions.distinct_ways(features, trees) == [1] * len(trees)
    np.testing.assert_allclose(ours, model.predict(features, pred_contrib=True), atol=1e-12)

"""Model-card metrics on small vectors worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from icp.stratify.metrics import TOP_SHARES, evaluate, top_share


def test_top_share_ppv_and_sensitivity() -> None:
    outcome = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1])
    risk = np.array([0.9, 0.8, 0.7, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05])
    top = top_share(outcome, risk, 0.2)  # the two highest: one admitted
    assert (top.people, top.ppv, top.sensitivity) == (2, 0.5, pytest.approx(1 / 3))


def test_perfect_ranking_has_auroc_one_and_brier_from_probabilities() -> None:
    outcome = np.array([0, 0, 1, 1])
    risk = np.array([0.1, 0.2, 0.8, 0.9])
    result = evaluate(outcome, risk)
    assert result.auroc == 1.0 and result.average_precision == 1.0
    assert result.brier == pytest.approx((0.01 + 0.04 + 0.04 + 0.01) / 4)


def test_single_valued_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="single value"):
        evaluate(np.zeros(5), np.linspace(0, 1, 5))


def test_the_top_shares_of_an_evaluation_break_ties_as_each_alone_does() -> None:
    """evaluate sorts once for every share: each is what top_share finds alone (ties by position)."""
    rng = np.random.default_rng(4)
    risk = np.round(rng.random(1_000), 1)  # many ties
    outcome = (rng.random(1_000) < risk).astype(np.int8)
    assert evaluate(outcome, risk).top == [top_share(outcome, risk, share) for share in TOP_SHARES]

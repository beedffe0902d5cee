"""Tiers follow the pyramid within each ICP, by rank of model risk, or by the rule-based order without one."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from icp.stratify import tiers
from icp.stratify.tiers import assign, parse_pyramid


def test_default_pyramid_shares_per_icp() -> None:
    n = 1000
    icp = pa.array(["A"] * n + ["B"] * n)
    ids = pa.array([f"p{i:05d}" for i in range(2 * n)])
    risk = np.concatenate([np.linspace(1, 0, n), np.linspace(0.5, 0, n)])
    tier, rank = assign(icp, ids, risk)
    for area in (slice(0, n), slice(n, 2 * n)):
        names, counts = np.unique(tier[area], return_counts=True)
        assert dict(zip(names.tolist(), counts.tolist(), strict=True)) == {
            "very_high": 5,
            "high": 45,
            "moderate": 150,
            "low": 800,
        }
    assert rank[0] == 1 and rank[n] == 1 and tier[0] == "very_high" and tier[n] == "very_high"


def test_ties_are_broken_by_patient_id_so_runs_repeat() -> None:
    _tier, rank = assign(pa.array(["A"] * 4), pa.array(["d", "c", "b", "a"]), np.array([0.5, 0.5, 0.5, 0.5]))
    assert rank.tolist() == [4, 3, 2, 1]


def test_configurable_pyramid() -> None:
    pyramid = parse_pyramid("1,9,20")
    tier, _ = assign(
        pa.array(["A"] * 100), pa.array([f"{i:03d}" for i in range(100)]), np.linspace(1, 0, 100), pyramid
    )
    assert (
        (tier == "very_high").sum() == 1 and (tier == "high").sum() == 9 and (tier == "moderate").sum() == 20
    )


@pytest.mark.parametrize("text", ["1,2", "a,b,c", "50,40,20", "0,5,5"])
def test_bad_pyramids_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match="pyramid"):
        parse_pyramid(text)


def test_without_a_model_people_are_ranked_by_the_rule_based_order() -> None:
    scores = pa.table(
        {
            "patient_id": ["a", "b", "c", "d", "e", "f"],
            "icp": ["X"] * 6,
            "emergency_admissions_12m": [0, 2, 0, 0, 0, 0],
            "efi_score": [0.1, 0.0, 0.3, 0.3, 0.3, None],
            "hfrs_score": [0.0, 0.0, 5.0, 5.0, 9.0, 0.0],
            "charlson_score": [0, 0, 2, 2, 0, 0],
            "register_count": [0, 0, 1, 1, 0, 0],
            "age": [90, 20, 70, 70, 60, 99],
        }
    )
    priority = tiers.rule_based_priority(scores)
    _tier, rank = tiers.assign(scores.column("icp"), scores.column("patient_id"), priority)
    # b: an emergency admission outranks everything; e: same eFI as c and d, higher HFRS; c and d
    # tie on every score, so patient id decides; f's unknown eFI ranks below a known one.
    ranked = [
        pid for _rank, pid in sorted(zip(rank.tolist(), scores.column("patient_id").to_pylist(), strict=True))
    ]
    assert ranked == ["b", "e", "c", "d", "a", "f"]

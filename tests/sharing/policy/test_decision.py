"""The decision's codes (`policy.decision`): each has a test of the path that gives it."""

from __future__ import annotations

from icp.sharing.policy import Code
from icp.sharing.vocabulary import DataCategory, Purpose

C = DataCategory
P = Purpose


def test_every_decision_code_has_a_test_here() -> None:
    """A new code in the policy without a test of its path fails this (in one of the decision's test
    files beside this one)."""
    from pathlib import Path

    here = Path(__file__)
    source = "".join(path.read_text(encoding="utf-8") for path in here.parent.glob("test_*.py"))
    untested = [code.name for code in Code if f"Code.{code.name}" not in source]
    assert untested == []

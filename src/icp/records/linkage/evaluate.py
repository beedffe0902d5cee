"""Precision and recall of a linkage against known truth, counted over pairs of records.

A pair of records is *linked* when both are given the same person, and *truly linked* when both
are about the same person. Precision is the share of linked pairs that are truly linked; recall
is the share of truly linked pairs that are linked. Pairs waiting for review count as not linked
(what the warehouse holds until someone reviews them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Accuracy:
    true_pairs: int
    linked_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.linked_pairs if self.linked_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def accuracy(person_of: Mapping[str, str], truth: Mapping[str, str]) -> Accuracy:
    """Pairwise precision and recall of `person_of` (record -> person) against `truth` (record -> person)."""
    records = [record for record in truth if record in person_of]
    linked = sum(_pairs(n) for n in Counter(person_of[r] for r in records).values())
    true = sum(_pairs(n) for n in Counter(truth[r] for r in records).values())
    correct = sum(_pairs(n) for n in Counter((person_of[r], truth[r]) for r in records).values())
    return Accuracy(true_pairs=true, linked_pairs=linked, correct_pairs=correct)

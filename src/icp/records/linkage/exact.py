"""The deterministic rule: records that share a valid national number are the same person.

Only valid numbers count (`prepare` has already dropped the rest). Every pair of records that
share one is returned, so that the probabilistic model can also say when the rest of the identity
disagrees (a number typed into the wrong person's record): such a pair goes to review, not to a
link (`run.link`).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pyarrow as pa


def number_pairs(records: pa.Table) -> list[tuple[str, str]]:
    """(left, right) patient ids, left < right, of every two records with the same valid number."""
    by_number: dict[str, list[str]] = defaultdict(list)
    for unique_id, number in zip(
        records.column("unique_id").to_pylist(), records.column("national_id").to_pylist(), strict=True
    ):
        if number:
            by_number[number].append(unique_id)
    pairs: list[tuple[str, str]] = []
    for ids in by_number.values():
        # combinations of a sorted list keep its order: left < right already.
        pairs.extend(combinations(sorted(ids), 2))
    return sorted(pairs)

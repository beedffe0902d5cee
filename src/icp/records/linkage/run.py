"""Link one ICP's records into persons, and write each record's `person_id` to the warehouse.

`link(patient, decisions=…)` runs the exact rule and the Splink model, applies the thresholds and
the reviewers' decisions, and returns the persons, the links made by each rule and the pairs that
wait for review. A pair is linked when its match probability is at least `Thresholds.link`, sent
to review when it is at least `Thresholds.review`, and kept apart below that. A pair that shares
a valid national number is linked by that rule, unless the model scores it below the review
threshold: then the number and the rest of the identity disagree, and a person decides. When
there is too little to train the model on (`model.MIN_TRAINING_PAIRS`), only the exact rule links.

`write_person_ids(warehouse, area, persons)` rewrites the ICP's `patient` files with the new
`person_id` (`Warehouse.rewrite`, one commit).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from icp.records.linkage import exact, model
from icp.records.linkage.persons import Link, Persons, RecordFacts, Rule, cluster
from icp.records.linkage.prepare import PATIENT_COLUMNS, linkage_records
from icp.records.warehouse import Warehouse


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: link at or above `link`; review at or above `review`; else apart.

    The defaults are the ones measured in docs/linkage.md (benchmarks/bench_linkage.py).
    """

    link: float = 0.99
    review: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 < self.review <= self.link < 1.0:
            raise ValueError(f"thresholds: expected 0 < review ({self.review}) <= link ({self.link}) < 1")


@dataclass(frozen=True)
class Decisions:
    """What reviewers decided about pairs: the same person, or not the same person."""

    same: frozenset[tuple[str, str]] = frozenset()
    apart: frozenset[tuple[str, str]] = frozenset()

    @staticmethod
    def of(same: Iterable[tuple[str, str]] = (), apart: Iterable[tuple[str, str]] = ()) -> Decisions:
        return Decisions(
            frozenset(tuple(sorted(pair)) for pair in same),  # type: ignore[misc]
            frozenset(tuple(sorted(pair)) for pair in apart),  # type: ignore[misc]
        )

    def decided(self, left: str, right: str) -> bool:
        pair = tuple(sorted((left, right)))
        return pair in self.same or pair in self.apart


@dataclass(frozen=True)
class ReviewPair:
    left: str
    right: str
    match_probability: float
    reason: str


@dataclass
class LinkResult:
    records: int
    persons: Persons
    review: list[ReviewPair]
    thresholds: Thresholds
    model_card: dict[str, Any] = field(default_factory=dict)

    @property
    def links_by_rule(self) -> dict[str, int]:
        return dict(self.persons.links_made)


def link(
    patient: pa.Table,
    *,
    decisions: Decisions | None = None,
    thresholds: Thresholds | None = None,
    seed: int = 42,
) -> LinkResult:
    """Persons and review pairs for `patient` rows (one ICP's, at least the `PATIENT_COLUMNS`)."""
    decisions = decisions or Decisions()
    thresholds = thresholds or Thresholds()
    records = linkage_records(patient)
    facts = {
        record: RecordFacts(source=source or "", registered=registered, has_number=number is not None)
        for record, source, registered, number in zip(
            records.column("unique_id").to_pylist(),
            records.column("source").to_pylist(),
            records.column("registered").to_pylist(),
            records.column("national_id").to_pylist(),
            strict=True,
        )
    }
    scored, card = model.score(records, seed=seed)
    probability = {(pair.left, pair.right): pair.match_probability for pair in scored}
    links = [Link(left, right, Rule.REVIEWER) for left, right in decisions.same]
    candidates: list[ReviewPair] = []
    numbered = set()
    for left, right in exact.number_pairs(records):
        numbered.add((left, right))
        if decisions.decided(left, right):
            continue
        chance = probability.get((left, right), 0.0)
        if card.get("trained") and chance < thresholds.review:
            candidates.append(
                ReviewPair(
                    left, right, chance, "same national number, but the name, date of birth and sex disagree"
                )
            )
        else:
            links.append(Link(left, right, Rule.NUMBER, chance))
    for pair in scored:
        key = (pair.left, pair.right)
        if key in numbered or decisions.decided(*key):
            continue
        if pair.match_probability >= thresholds.link:
            links.append(Link(pair.left, pair.right, Rule.MODEL, pair.match_probability))
        elif pair.match_probability >= thresholds.review:
            candidates.append(
                ReviewPair(pair.left, pair.right, pair.match_probability, "between the thresholds")
            )
    persons = cluster(facts, links, apart=decisions.apart)
    for refused in persons.refused:
        candidates.append(
            ReviewPair(
                refused.left,
                refused.right,
                refused.match_probability or 0.0,
                "would give one person two records from the same source",
            )
        )
    # A pair whose records ended up in one person through other links needs no review.
    review: list[ReviewPair] = []
    seen: set[tuple[str, str]] = set()
    for candidate in sorted(candidates, key=lambda p: (-p.match_probability, p.left, p.right)):
        key = (candidate.left, candidate.right)
        if key in seen or persons.person_of[candidate.left] == persons.person_of[candidate.right]:
            continue
        seen.add(key)
        review.append(candidate)
    return LinkResult(records.num_rows, persons, review, thresholds, card)


def read_patients(warehouse: Warehouse, area: str) -> pa.Table:
    """The ICP's patient rows with the columns linkage reads."""
    return warehouse.read_arrow("patient", [area], columns=[*PATIENT_COLUMNS, "person_id"])


def write_person_ids(
    warehouse: Warehouse, area: str, person_of: dict[str, str], *, detail: dict[str, Any]
) -> str:
    """Set `patient.person_id` of the ICP's rows from `person_of`; rows not in it keep theirs."""

    def relabel(rows: pa.Table) -> pa.Table:
        ids = rows.column("patient_id").to_pylist()
        current = rows.column("person_id").to_pylist()
        person_ids = [person_of.get(pid) or old or pid for pid, old in zip(ids, current, strict=True)]
        position = rows.schema.get_field_index("person_id")
        return rows.set_column(position, rows.schema.field(position), pa.array(person_ids, pa.string()))

    return warehouse.rewrite(
        "patient",
        area=area,
        transform=relabel,
        kind="link",
        source="icp link",
        detail=json.loads(json.dumps(detail, default=str)),
    )

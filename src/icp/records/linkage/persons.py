"""From linked pairs to persons: clusters of records, each named by its primary record.

Links are taken strongest first (a reviewer's "same person", then a shared valid national number,
then the model's pairs by probability), joining clusters as they go (a union-find). Two guards
keep one wrong pair from chaining different people together:

- a reviewer's "not the same person" is never overridden: clusters holding such a pair are never
  joined, whatever links later;
- a person has at most one record from each source (a practice does not register one person
  twice): an automatic link that would put two records of one source in one person is not made,
  and the pair goes to review instead. A reviewer may still join them.

A person's id is the `patient_id` of its primary record: the registered one (the GP record), then
one with a valid national number, then the smallest id, so it is as opaque as any `patient_id`,
stable while the person keeps that record, and is itself a row of the warehouse and patient index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class Rule:
    """Why two records were linked (the words the CLI and the review page print)."""

    REVIEWER = "reviewer"
    NUMBER = "national number"
    MODEL = "probabilistic"


@dataclass(frozen=True)
class Link:
    left: str
    right: str
    rule: str
    match_probability: float | None = None


@dataclass(frozen=True)
class RecordFacts:
    """What choosing a primary record and the one-record-per-source guard need to know."""

    source: str
    registered: bool
    has_number: bool


@dataclass
class Persons:
    person_of: dict[str, str]
    links_made: dict[str, int] = field(default_factory=dict)  # rule -> links that joined two clusters
    refused: list[Link] = field(default_factory=list)  # automatic links the guards refused

    @property
    def count(self) -> int:
        return len(set(self.person_of.values()))

    def members(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for record, person in sorted(self.person_of.items()):
            groups.setdefault(person, []).append(record)
        return groups


def primary_record(records: Mapping[str, RecordFacts]) -> str:
    """The record that names a person: registered first, then with a valid number, then the smallest id."""
    return min(
        records, key=lambda record: (not records[record].registered, not records[record].has_number, record)
    )


def cluster(
    records: Mapping[str, RecordFacts],
    links: Iterable[Link],
    *,
    apart: Iterable[tuple[str, str]] = (),
) -> Persons:
    """Persons from `links` (any order: they are sorted strongest first) kept `apart` as reviewers said."""
    parent = {record: record for record in records}
    members: dict[str, set[str]] = {record: {record} for record in records}
    sources: dict[str, set[str]] = {record: {facts.source} for record, facts in records.items()}
    never: dict[str, set[str]] = {}
    for left, right in apart:
        never.setdefault(left, set()).add(right)
        never.setdefault(right, set()).add(left)

    def root(record: str) -> str:
        while parent[record] != record:
            parent[record] = parent[parent[record]]
            record = parent[record]
        return record

    strength = {Rule.REVIEWER: 0, Rule.NUMBER: 1, Rule.MODEL: 2}
    ordered = sorted(
        (link for link in links if link.left in parent and link.right in parent),
        key=lambda link: (strength[link.rule], -(link.match_probability or 0.0), link.left, link.right),
    )
    result = Persons(person_of={})
    for link in ordered:
        a, b = root(link.left), root(link.right)
        if a == b:
            continue
        small, large = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        kept_apart = any(never.get(record, set()) & members[large] for record in members[small])
        same_source = link.rule != Rule.REVIEWER and bool(sources[small] & sources[large])
        if kept_apart or same_source:
            if link.rule != Rule.REVIEWER:
                result.refused.append(link)
            continue
        parent[small] = large
        members[large] |= members.pop(small)
        sources[large] |= sources.pop(small)
        result.links_made[link.rule] = result.links_made.get(link.rule, 0) + 1
    for cluster_members in members.values():
        primary = primary_record({record: records[record] for record in cluster_members})
        for record in cluster_members:
            result.person_of[record] = primary
    return result

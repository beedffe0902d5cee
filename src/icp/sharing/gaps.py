"""The agreement register's gaps: partner organisations that work together with no signed agreement.

"Work together" is read from the care relationships in force (`patients.CareRelationship`): two
organisations work together when both hold a relationship with the same person on the day (the
registered practice, derived from the index, counts for every person it has registered). The
evidence names the kinds of relationship (referral, care team, MDT list ...). A pair is covered when
one agreement in force names both as parties.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from icp.partnership.models import Area, Organisation
from icp.patients.models import CareRelationship, RelationshipKind
from icp.sharing.models import DataSharingAgreement


@dataclass(frozen=True)
class Gap:
    first: Organisation
    second: Organisation
    evidence: tuple[str, ...]
    people: int  # how many people they share care of


def _evidence(kind: str, label: str) -> str:
    if kind == RelationshipKind.MDT_LIST:
        return f"MDT list {label}".rstrip()
    return str(RelationshipKind(kind).label).lower()


def working_pairs(icp: Area, on: date) -> dict[tuple[int, int], tuple[set[str], set[int]]]:
    """Pairs of organisation ids that share care in `icp`, with evidence and the people involved."""
    held: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = CareRelationship.objects.filter(patient__icp=icp).current(on)
    for patient_pk, organisation_pk, user_organisation_pk, practice_pk, kind, label in rows.values_list(
        "patient", "organisation", "user__organisation", "patient__practice", "kind", "label"
    ):
        organisation = organisation_pk or user_organisation_pk
        if organisation is None:
            continue
        held[int(patient_pk)][int(organisation)].add(_evidence(kind, label))
        if practice_pk:
            held[int(patient_pk)].setdefault(int(practice_pk), set())
    pairs: dict[tuple[int, int], tuple[set[str], set[int]]] = defaultdict(lambda: (set(), set()))
    for patient, organisations in held.items():
        for a, b in combinations(sorted(organisations), 2):
            evidence, people = pairs[(a, b)]
            evidence.update(organisations[a] | organisations[b])
            people.add(patient)
    return dict(pairs)


def covered_pairs(icp: Area, on: date) -> set[tuple[int, int]]:
    covered: set[tuple[int, int]] = set()
    for agreement in DataSharingAgreement.objects.filter(icp=icp).prefetch_related("parties"):
        if agreement.in_force(on):
            covered.update(combinations(sorted(p.pk for p in agreement.parties.all()), 2))
    return covered


def agreement_gaps(icp: Area, on: date) -> list[Gap]:
    """Pairs that work together in `icp` on `on` but share no agreement in force, busiest first."""
    pairs = working_pairs(icp, on)
    covered = covered_pairs(icp, on)
    missing = [pair for pair in pairs if pair not in covered]
    organisations = Organisation.objects.in_bulk({org for pair in missing for org in pair})
    gaps = [
        Gap(organisations[a], organisations[b], tuple(sorted(pairs[(a, b)][0])), len(pairs[(a, b)][1]))
        for a, b in missing
    ]
    return sorted(gaps, key=lambda gap: (-gap.people, gap.first.name, gap.second.name))

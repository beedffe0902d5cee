"""The agreement register's gaps: partner organisations that work together with no signed agreement.

"Work together" is read from what icp knows of shared care: a referral between them, both in the
care team of the same person (the registered practice counts as part of every care team), or both
members of one MDT list. A pair is covered when one agreement in force names both as parties.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.db.models import Q

from icp.partnership.models import Area, Organisation
from icp.sharing.models import CareTeamMember, DataSharingAgreement, MdtList, Referral


@dataclass(frozen=True)
class Gap:
    first: Organisation
    second: Organisation
    evidence: tuple[str, ...]
    people: int  # how many people they share care of (0 for MDT-only evidence)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def working_pairs(icp: Area, on: date) -> dict[tuple[int, int], tuple[set[str], set[int]]]:
    """Pairs of organisation ids that share care in `icp`, with evidence and the people involved."""
    pairs: dict[tuple[int, int], tuple[set[str], set[int]]] = defaultdict(lambda: (set(), set()))
    for referral in Referral.objects.filter(patient__icp=icp).values(
        "from_organisation", "to_organisation", "patient"
    ):
        a, b = referral["from_organisation"], referral["to_organisation"]
        if a != b:
            evidence, people = pairs[_pair(a, b)]
            evidence.add("referral")
            people.add(int(referral["patient"]))
    teams: dict[int, set[int]] = defaultdict(set)
    current = CareTeamMember.objects.filter(patient__icp=icp, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    for patient_pk, organisation_pk, practice_pk in current.values_list(
        "patient", "organisation", "patient__practice"
    ):
        teams[int(patient_pk)].add(organisation_pk)
        if practice_pk:
            teams[int(patient_pk)].add(practice_pk)
    for patient, organisations in teams.items():
        for a, b in combinations(sorted(organisations), 2):
            evidence, people = pairs[(a, b)]
            evidence.add("care team")
            people.add(patient)
    for mdt_list in MdtList.objects.filter(icp=icp).prefetch_related("members"):
        for a, b in combinations(sorted(m.pk for m in mdt_list.members.all()), 2):
            pairs[(a, b)][0].add(f"MDT list {mdt_list.name}")
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

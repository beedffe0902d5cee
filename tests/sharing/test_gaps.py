"""The agreement register's gaps, read from the care relationships in force."""

from __future__ import annotations

from django.utils import timezone

from icp.patients.actions import Source, close_relationship, open_relationship
from icp.patients.models import RelationshipKind
from icp.sharing.gaps import agreement_gaps, working_pairs
from tests.sharing.conftest import World


def _relate(world: World, patient: str, organisation: str, kind: str, label: str = "") -> object:
    return open_relationship(
        patient=world.patients[patient],
        kind=kind,
        source=Source("care.test", f"{patient}-{organisation}-{kind}"),
        organisation=world.orgs[organisation],
        label=label,
        by=world.users["manager"],
    )


def test_a_relationship_pairs_its_organisation_with_the_registered_practice(shared_world: World) -> None:
    w = shared_world
    _relate(w, "bob", "voluntary", RelationshipKind.REFERRAL)
    gaps = agreement_gaps(w.icp, timezone.localdate())
    assert [({g.first.code, g.second.code}, g.evidence, g.people) for g in gaps] == [
        ({w.orgs["practice_b"].code, "T-VOL"}, ("referral",), 1)
    ]


def test_two_organisations_on_one_mdt_list_work_together_and_a_covered_pair_is_no_gap(
    shared_world: World,
) -> None:
    w = shared_world
    _relate(w, "alice", "trust", RelationshipKind.MDT_LIST, "Frailty MDT (synthetic)")
    _relate(w, "alice", "voluntary", RelationshipKind.MDT_LIST, "Frailty MDT (synthetic)")
    pairs = working_pairs(w.icp, timezone.localdate())
    trust, voluntary, practice = w.orgs["trust"].pk, w.orgs["voluntary"].pk, w.orgs["practice_a"].pk
    assert pairs[tuple(sorted((trust, voluntary)))][0] == {"MDT list Frailty MDT (synthetic)"}
    assert tuple(sorted((practice, trust))) in pairs
    # The shared world's coordination agreement names the practice, the trust and the volunteers.
    assert agreement_gaps(w.icp, timezone.localdate()) == []


def test_an_ended_relationship_is_no_longer_evidence(shared_world: World) -> None:
    w = shared_world
    relationship = _relate(w, "bob", "voluntary", RelationshipKind.REFERRAL)
    close_relationship(relationship=relationship, by=w.users["manager"])  # type: ignore[arg-type]
    assert agreement_gaps(w.icp, timezone.localdate()) == []

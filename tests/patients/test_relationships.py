"""Reading relationships: the registered practice derived from the index, the rest from CareRelationship."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from icp.patients.actions import Source, close_relationship, open_relationship
from icp.patients.models import RelationshipKind
from icp.patients.relationships import is_registered_practice, related_patients, relationships_of
from tests.sharing.conftest import World


def _open(world: World, kind: str, organisation: str | None = None, user: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return open_relationship(
        patient=world.patients["alice"],
        kind=kind,
        source=Source("care.test", str(kind)),
        organisation=world.orgs[organisation] if organisation else None,
        user=world.users[user] if user else None,
        by=world.users["gp"],
        **kw,  # type: ignore[arg-type]
    )


def test_the_registered_practice_comes_from_the_index(world: World) -> None:
    alice, today = world.patients["alice"], timezone.localdate()
    assert is_registered_practice(alice, world.orgs["practice_a"].pk)
    assert not is_registered_practice(alice, world.orgs["practice_b"].pk)
    assert not is_registered_practice(alice, None)
    held = relationships_of(world.users["gp"], alice, today)
    assert [(r.kind, r.description, r.relationship) for r in held] == [
        (RelationshipKind.REGISTERED_PRACTICE, "registered practice", None)
    ]


def test_several_relationships_come_in_a_fixed_order_and_each_says_what_it_is(world: World) -> None:
    today = timezone.localdate()
    _open(world, RelationshipKind.EMERGENCY_RESPONSE, "trust", label="Winter list (synthetic)")
    _open(world, RelationshipKind.MDT_LIST, "trust", label="Frailty MDT (synthetic)")
    _open(world, RelationshipKind.CARE_TEAM, "trust", label="district nurse")
    _open(world, RelationshipKind.REFERRAL, "trust", starts=today - timedelta(days=2))
    _open(world, RelationshipKind.PATHWAY_ENROLMENT, "trust", label="Falls (synthetic)")
    descriptions = [
        r.description for r in relationships_of(world.users["trust"], world.patients["alice"], today)
    ]
    assert descriptions == [
        "member of the care team (district nurse)",
        f"open referral to your service since {today - timedelta(days=2):%d %b %Y}",
        "on the MDT list Frailty MDT (synthetic)",
        "enrolled on the pathway Falls (synthetic)",
        "on the emergency-response list Winter list (synthetic)",
    ]


def test_a_relationship_naming_one_user_is_theirs_alone(world: World) -> None:
    today, alice = timezone.localdate(), world.patients["alice"]
    _open(world, RelationshipKind.CARE_TEAM, "trust", user="trust", label="district nurse")
    assert relationships_of(world.users["trust"], alice, today)
    assert relationships_of(world.users["trust_2"], alice, today) == []
    assert relationships_of(world.users["socialworker"], alice, today) == []


def test_a_relationship_holds_from_its_start_up_to_but_not_on_its_end(world: World) -> None:
    today, alice, pharmacist = timezone.localdate(), world.patients["alice"], world.users["pharmacist"]
    relationship = _open(world, RelationshipKind.CARE_TEAM, "pharmacy", starts=today - timedelta(days=10))
    close_relationship(relationship=relationship, by=world.users["gp"], ends=today)
    assert relationships_of(pharmacist, alice, today - timedelta(days=11)) == []
    assert relationships_of(pharmacist, alice, today - timedelta(days=10))
    assert relationships_of(pharmacist, alice, today - timedelta(days=1))
    assert relationships_of(pharmacist, alice, today) == []


def test_related_patients_are_the_registered_list_and_the_people_with_a_relationship(world: World) -> None:
    today = timezone.localdate()
    assert list(related_patients(world.users["pharmacist"], today)) == []
    assert set(related_patients(world.users["gp"], today).values_list("patient_id", flat=True)) == {
        "pt-alice-0001"
    }
    _open(world, RelationshipKind.CARE_TEAM, "pharmacy")
    _open(world, RelationshipKind.REFERRAL, "pharmacy")  # two relationships: still one person
    assert list(related_patients(world.users["pharmacist"], today).values_list("patient_id", flat=True)) == [
        "pt-alice-0001"
    ]
    assert list(related_patients(world.users["pharmacist"], today - timedelta(days=1))) == []

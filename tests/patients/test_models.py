"""CareRelationship's own rules, held by the database too: a party, an end not before the start,
and never a stored registered practice (that one is derived from the index)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from icp.patients.models import STORED_KINDS, CareRelationship, RelationshipKind
from tests.sharing.conftest import World


def _row(world: World, **changes: object) -> CareRelationship:
    fields: dict[str, object] = {
        "patient": world.patients["alice"],
        "kind": RelationshipKind.CARE_TEAM,
        "organisation": world.orgs["trust"],
        "starts": timezone.localdate(),
        "source_type": "care.careteammember",
        "source_id": "1",
    }
    fields.update(changes)
    return CareRelationship(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"organisation": None, "user": None},
        {"ends": "yesterday"},
        {"kind": RelationshipKind.REGISTERED_PRACTICE},
    ],
    ids=["no-party", "ends-before-start", "stored-registered-practice"],
)
def test_the_database_refuses_a_row_that_breaks_the_rules(world: World, changes: dict[str, object]) -> None:
    if changes.get("ends") == "yesterday":
        changes = {"ends": timezone.localdate() - timedelta(days=1)}
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(world, **changes).save()


def test_every_kind_but_the_registered_practice_is_stored() -> None:
    assert RelationshipKind.REGISTERED_PRACTICE not in STORED_KINDS
    assert set(STORED_KINDS) | {RelationshipKind.REGISTERED_PRACTICE} == set(RelationshipKind)


def test_current_is_half_open(world: World) -> None:
    today = timezone.localdate()
    _row(world, starts=today - timedelta(days=3), ends=today).save()
    assert CareRelationship.objects.current(today - timedelta(days=1)).count() == 1
    assert CareRelationship.objects.current(today).count() == 0
    assert CareRelationship.objects.current(today - timedelta(days=4)).count() == 0


def test_the_string_names_the_kind_and_the_opaque_id_only(world: World) -> None:
    assert str(_row(world)) == "Care team of patient pt-alice-0001"

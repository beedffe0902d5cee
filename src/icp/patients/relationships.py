"""Reading legitimate relationships: who has one with a person on a day, and with whom a user has one.

The one source is `CareRelationship`, plus the registered practice derived from the patient index
(stored once per person there, not copied into a relationship row per person). The access
decision (`icp.sharing.policy`) and the record search read relationships through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from icp.patients.models import CareRelationship, PatientIndex, RelationshipKind

# The order a relationship is reported in when a user holds several (the first one is the reason).
_ORDER = {kind: position for position, kind in enumerate(RelationshipKind)}


@dataclass(frozen=True)
class Relationship:
    """One relationship in force, as the access decision reports it."""

    kind: str
    description: str
    relationship: CareRelationship | None = None  # None for the derived registered practice


def is_registered_practice(patient: PatientIndex, organisation_id: int | None) -> bool:
    return organisation_id is not None and patient.practice_id == organisation_id


def relationships_of(user: Any, patient: PatientIndex, on: date) -> list[Relationship]:
    """Every relationship the user (through their organisation or by name) has with the person on `on`."""
    organisation_id = getattr(user, "organisation_id", None)
    found: list[Relationship] = []
    if is_registered_practice(patient, organisation_id):
        found.append(Relationship(RelationshipKind.REGISTERED_PRACTICE, "registered practice"))
    rows = (
        CareRelationship.objects.filter(patient=patient)
        .current(on)
        .held_by(organisation_id=organisation_id, user=user)
        .order_by("starts", "id")
    )
    found.extend(Relationship(row.kind, row.describe(), row) for row in rows)
    return sorted(found, key=lambda item: _ORDER[RelationshipKind(item.kind)])


def related_patients(user: Any, on: date) -> QuerySet[PatientIndex]:
    """People the user has a relationship with on `on` (registered list included)."""
    organisation_id = getattr(user, "organisation_id", None)
    held = (
        CareRelationship.objects.filter(patient=OuterRef("pk"))
        .current(on)
        .held_by(organisation_id=organisation_id, user=user)
    )
    registered = Q(practice_id=organisation_id) if organisation_id is not None else Q(pk__in=[])
    return PatientIndex.objects.filter(registered | Q(Exists(held)))

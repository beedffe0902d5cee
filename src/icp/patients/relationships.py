"""Reading legitimate relationships: who has one with a person on a day, and with whom a user has one.

The one source is `CareRelationship`, plus the registered practice derived from the patient index
(stored once per person there, not copied into a relationship row per person). The access
decision (`icp.sharing.policy`) and the record search read relationships through these functions.

Relationships follow the **person**, not the source record: a relationship with any record linked
to the same person (`PatientIndex.person_id`, docs/linkage.md) is a relationship with each of them,
and so is being the registered practice of any of them. After a link or a split, the next decision
reads the persons as they now are.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def records_of_person(patient: PatientIndex) -> QuerySet[PatientIndex]:
    """Every source record of the patient's person, the patient's own included."""
    return PatientIndex.objects.filter(Q(pk=patient.pk) | Q(person_id=patient.person))


def is_registered_practice(patient: PatientIndex, organisation_id: int | None) -> bool:
    """True if the organisation is the registered practice of any record of the person."""
    return registered_practices_of([patient], organisation_id)[patient.pk]


def _records_of_people(patients: Sequence[PatientIndex]) -> Q:
    """Every source record of these people (each person's records, their own included), as a filter."""
    return Q(pk__in={p.pk for p in patients}) | Q(person_id__in={p.person for p in patients})


def _belongs(record_pk: int, record_person: str, patient: PatientIndex) -> bool:
    """True if a source record (its key and person id) is one of the patient's person's records. A
    blank person id links nothing; a patient's own `person` is never blank."""
    return record_pk == patient.pk or record_person == patient.person


def registered_practices_of(patients: Sequence[PatientIndex], organisation_id: int | None) -> dict[int, bool]:
    """`is_registered_practice` for each of many people (by patient key), in one query at most."""
    if organisation_id is None:
        return {p.pk: False for p in patients}
    found = {p.pk: p.practice_id == organisation_id for p in patients}
    others = [p for p in patients if not found[p.pk]]
    if others:
        records = list(
            PatientIndex.objects.filter(_records_of_people(others), practice_id=organisation_id).values_list(
                "pk", "person_id"
            )
        )
        for patient in others:
            found[patient.pk] = any(_belongs(pk, person, patient) for pk, person in records)
    return found


def relationships_of(user: Any, patient: PatientIndex, on: date) -> list[Relationship]:
    """Every relationship the user (through their organisation or by name) has with the person on `on`."""
    return relationships_of_many(user, [patient], on)[patient.pk]


def relationships_of_many(
    user: Any, patients: Sequence[PatientIndex], on: date
) -> dict[int, list[Relationship]]:
    """`relationships_of` for each of many people (by patient key), from two queries whatever their
    number: a worklist or a caseload asks once, not once a person."""
    if not patients:
        return {}
    organisation_id = getattr(user, "organisation_id", None)
    registered = registered_practices_of(patients, organisation_id)
    rows = list(
        CareRelationship.objects.filter(patient__in=PatientIndex.objects.filter(_records_of_people(patients)))
        .current(on)
        .held_by(organisation_id=organisation_id, user=user)
        .select_related("patient")
        .order_by("starts", "id")
    )
    found: dict[int, list[Relationship]] = {}
    for patient in patients:
        held = (
            [Relationship(RelationshipKind.REGISTERED_PRACTICE, "registered practice")]
            if registered[patient.pk]
            else []
        )
        held.extend(
            Relationship(row.kind, row.describe(), row)
            for row in rows
            if _belongs(row.patient_id, row.patient.person_id, patient)
        )
        found[patient.pk] = sorted(held, key=lambda item: _ORDER[RelationshipKind(item.kind)])
    return found


def related_patients(user: Any, on: date) -> QuerySet[PatientIndex]:
    """People the user has a relationship with on `on` (registered list included), any record of them."""
    organisation_id = getattr(user, "organisation_id", None)
    held = (
        CareRelationship.objects.filter(patient=OuterRef("pk"))
        .current(on)
        .held_by(organisation_id=organisation_id, user=user)
    )
    # Through another record of the same person (a blank person_id links nothing).
    held_by_person = (
        CareRelationship.objects.filter(patient__person_id=OuterRef("person_id"))
        .exclude(patient__person_id="")
        .current(on)
        .held_by(organisation_id=organisation_id, user=user)
    )
    registered = Q(practice_id=organisation_id) if organisation_id is not None else Q(pk__in=[])
    registered_by_person = Q(pk__in=[])
    if organisation_id is not None:
        practice_records = PatientIndex.objects.filter(
            person_id=OuterRef("person_id"), practice_id=organisation_id
        ).exclude(person_id="")
        registered_by_person = Q(Exists(practice_records))
    return PatientIndex.objects.filter(
        registered | Q(Exists(held)) | Q(Exists(held_by_person)) | registered_by_person
    )

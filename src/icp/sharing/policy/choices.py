"""The person's choices in force: what the decision reads of them, and who opted out of planning.

A choice in force on a day is the latest of its kind made on or before that day, and it follows the
person: a choice made on one source record holds for every record linked to the same person.
`latest_choices` feeds the decision (and the banner that explains it); `planning_opt_outs` is what
population jobs (risk stratification, evaluation) leave out of their outputs instead of deciding
person by person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from icp.partnership.models import Area
from icp.patients.models import PatientIndex
from icp.sharing.models import PersonChoice
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue


def latest_choices(patient: PatientIndex, on: date) -> dict[str, PersonChoice]:
    """The choice in force of each kind on `on` (the latest made on or before that day).

    Choices follow the person: the latest made on any source record linked to the same person.
    """
    return latest_choices_of([patient], on)[patient.pk]


def latest_choices_of(patients: Sequence[PatientIndex], on: date) -> dict[int, dict[str, PersonChoice]]:
    """`latest_choices` for each of many people (by patient key), from one query."""
    rows = list(
        PersonChoice.objects.filter(
            Q(patient_id__in={p.pk for p in patients})
            | Q(patient__person_id__in={p.person for p in patients}),
            effective_date__lte=on,
        )
        .select_related("patient")
        .order_by("kind", "-effective_date", "-id")
    )
    found: dict[int, dict[str, PersonChoice]] = {}
    for patient in patients:
        in_force: dict[str, PersonChoice] = {}
        for choice in rows:
            if choice.patient_id == patient.pk or choice.patient.person_id == patient.person:
                in_force.setdefault(choice.kind, choice)
        found[patient.pk] = in_force
    return found


@dataclass(frozen=True)
class OptOuts:
    """People whose planning and research opt-out is in force: leave them out, and say how many."""

    patient_ids: frozenset[str]
    as_of: date

    @property
    def count(self) -> int:
        return len(self.patient_ids)

    def __contains__(self, patient_id: object) -> bool:
        return patient_id in self.patient_ids


def planning_opt_outs(icp: Area | str | None = None, *, on: date | None = None) -> OptOuts:
    """The opaque ids of people opted out of planning and research on `on` (today by default).

    Risk stratification and evaluation call this and exclude these people from their outputs,
    reporting `count` (suppressed as any small number is when it leaves the platform).
    """
    on = on or timezone.localdate()
    latest = (
        PersonChoice.objects.filter(
            patient=OuterRef("patient"), kind=ChoiceKind.PLANNING_OPT_OUT, effective_date__lte=on
        )
        .order_by("-effective_date", "-id")
        .values("id")[:1]
    )
    rows = PersonChoice.objects.filter(
        kind=ChoiceKind.PLANNING_OPT_OUT, id=Subquery(latest), value=ChoiceValue.OPTED_OUT
    )
    if icp is not None:
        code = icp if isinstance(icp, str) else icp.code
        rows = rows.filter(patient__icp__code=code)
    opted = set(rows.values_list("patient__patient_id", flat=True))
    # An opt-out made on one source record holds for every record linked to the same person.
    persons = set(rows.exclude(patient__person_id="").values_list("patient__person_id", flat=True))
    if persons:
        opted |= set(PatientIndex.objects.filter(person_id__in=persons).values_list("patient_id", flat=True))
    return OptOuts(frozenset(opted), on)

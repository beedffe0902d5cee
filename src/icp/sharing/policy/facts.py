"""The facts of a request: what the decision needs to know about a (user, person, purpose).

The person named by a caller (`resolve`), and for each person the user's ICP, their organisation's
agreements, the legitimate relationship, the person's choices and any active break glass, gathered
once (`gather`) from a fixed number of queries however many people are asked about. Nothing here
judges: `judge` reads these facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from icp.partnership.models import Area, home_icp
from icp.patients.models import PatientIndex
from icp.patients.relationships import Relationship, registered_practices_of, relationships_of_many
from icp.sharing.models import BreakGlass, DataSharingAgreement
from icp.sharing.policy.choices import latest_choices_of
from icp.sharing.vocabulary import (
    DEFAULT_SENSITIVE_CATEGORIES,
    INDIVIDUAL_CARE_PURPOSES,
    PLANNING_PURPOSES,
    ChoiceKind,
    ChoiceValue,
    Purpose,
)


@dataclass
class Facts:
    """What the decision needs to know about a (user, patient, purpose), gathered once."""

    user: Any
    purpose: str
    patient: PatientIndex | None
    patient_id: str
    on: date
    now: datetime
    user_icp: Area | None = None
    agreements: list[DataSharingAgreement] = field(default_factory=list)
    relationship: str = ""
    registered_practice: bool = False
    consent_withdrawn: bool = False
    opted_out: bool = False
    withheld: frozenset[str] = frozenset()
    break_glass: BreakGlass | None = None


def resolve(patient: PatientIndex | str | None) -> tuple[PatientIndex | None, str]:
    if isinstance(patient, PatientIndex):
        return patient, patient.patient_id
    patient_id = str(patient or "")[:64]
    found = PatientIndex.objects.select_related("icp").filter(patient_id=patient_id).first()
    return found, patient_id


def relationship(purpose: str, registered: bool, held: list[Relationship]) -> str:
    """The legitimate relationship the user has with the person for the purpose, or ''.

    For individual care it is read from `patients.CareRelationship` (and the registered practice,
    derived from the index): the one table that answers "why could this user see this record?".
    `held` is every relationship the user holds with the person (`relationships_of`).
    """
    if purpose in INDIVIDUAL_CARE_PURPOSES:
        return held[0].description if held else ""
    if purpose == Purpose.EMERGENCY:
        return "emergency response for a person in your ICP"
    if purpose == Purpose.RISK_STRATIFICATION:
        # Identifiable case finding is direct care: the registered practice for its own list, and
        # those already caring for the person (care team, referral, MDT, pathway) for their caseload.
        # An analyst's population view is pseudonymised and never asks for a named record.
        if registered:
            return "case finding for your registered list"
        return f"case finding for your caseload ({held[0].description})" if held else ""
    return ""


def gather(
    user: Any, patients: Sequence[PatientIndex], purpose: str, on: date, now: datetime
) -> dict[int, Facts]:
    """The facts of each person (by patient key), from a fixed number of queries whatever their
    number: what every person shares (the user's ICP, their organisation's agreements in each ICP) is
    read once, and the people's choices, relationships and break glasses one query each for all."""
    user_icp = home_icp(user)
    registered = registered_practices_of(patients, user.organisation_id)
    agreements: dict[int, list[DataSharingAgreement]] = {}
    held: dict[int, list[Relationship]] = {}
    if user.organisation_id:
        for icp_id in {p.icp_id for p in patients}:
            agreements[icp_id] = list(
                DataSharingAgreement.objects.filter(icp_id=icp_id, parties__id=user.organisation_id)
                .distinct()
                .order_by("-start_date", "reference")
            )
        # Relationships decide individual care, and case finding beyond the registered list.
        asked = [
            p
            for p in patients
            if purpose in INDIVIDUAL_CARE_PURPOSES
            or (purpose == Purpose.RISK_STRATIFICATION and not registered[p.pk])
        ]
        held = relationships_of_many(user, asked, on)
    choices = latest_choices_of(patients, on)
    glasses: dict[int, BreakGlass] = {}
    if purpose not in PLANNING_PURPOSES:
        # A break glass follows the person: it was for the human being in front of the user, so it
        # opens every source record linked to them, as their shared care record brings together.
        active = (
            BreakGlass.objects.filter(
                Q(patient__in=[p.pk for p in patients])
                | Q(patient__person_id__in={p.person for p in patients}),
                user=user,
                started_at__lte=now,
                expires_at__gt=now,
            )
            .select_related("patient")
            .order_by("expires_at")
        )
        by_person = {glass.patient.person: glass for glass in active}  # the latest expiry of each person
        glasses = {p.pk: by_person[p.person] for p in patients if p.person in by_person}
    found: dict[int, Facts] = {}
    for patient in patients:
        facts = Facts(
            user=user, purpose=purpose, patient=patient, patient_id=patient.patient_id, on=on, now=now
        )
        facts.user_icp = user_icp
        facts.registered_practice = registered[patient.pk]
        if user.organisation_id:
            facts.agreements = agreements[patient.icp_id]
            facts.relationship = relationship(purpose, registered[patient.pk], held.get(patient.pk, []))
        in_force = choices[patient.pk]
        consent = in_force.get(ChoiceKind.DIRECT_CARE_CONSENT)
        facts.consent_withdrawn = consent is not None and consent.value == ChoiceValue.WITHDRAWN
        opt_out = in_force.get(ChoiceKind.PLANNING_OPT_OUT)
        facts.opted_out = opt_out is not None and opt_out.value == ChoiceValue.OPTED_OUT
        withheld = in_force.get(ChoiceKind.SENSITIVE_WITHHELD)
        if withheld is not None and withheld.value == ChoiceValue.WITHHELD:
            facts.withheld = frozenset(withheld.categories or DEFAULT_SENSITIVE_CATEGORIES)
        facts.break_glass = glasses.get(patient.pk)
        found[patient.pk] = facts
    return found

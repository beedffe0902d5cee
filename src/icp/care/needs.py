"""Needs found in outreach or named on a referral, their SNOMED CT codes where one exists, and the
counts planning needs (people with each need, carers recorded as people).

Needs are recorded with icp's own need codes (`referrals.models.Need`: food, medicines, loneliness,
digital access, ...), so planning can count them however they are coded. Where a published source
gives a SNOMED CT concept for a need, `need_codes.csv` holds it with that source, and the FHIR
`ServiceRequest.reasonCode` carries it beside the need's words. No code is typed from memory: a need
without a row (digital exclusion among them: no concept for it was found in a published source)
is sent as words only, and a clinical terminologist binds it before live use (hazard HAZ-06).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.db.models import Q

from icp.care.emergency.models import OutreachContact
from icp.care.referrals.models import Need, Referral
from icp.care.teams.models import Carer
from icp.partnership.models import Area
from icp.records.schema import CODE_SYSTEMS

CODES_FILE = Path(__file__).with_name("need_codes.csv")


@dataclass(frozen=True)
class NeedCode:
    need: str
    code_system: str
    code: str
    display: str
    source: str
    url: str


@cache
def need_codes() -> dict[str, NeedCode]:
    """The coded needs, by need; a row naming an unknown need stops the load, naming the line."""
    found: dict[str, NeedCode] = {}
    with CODES_FILE.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["need"] not in Need.values:
                known = ", ".join(Need.values)
                raise ValueError(f"{CODES_FILE.name} line {line}: need {row['need']!r} is not one of {known}")
            found[row["need"]] = NeedCode(**row)
    return found


def reason_codings(needs: list[str]) -> list[dict[str, str]]:
    """FHIR codings of the needs that have a code (system URI, code, display)."""
    codes = need_codes()
    return [
        {"system": CODE_SYSTEMS[codes[n].code_system], "code": codes[n].code, "display": codes[n].display}
        for n in needs
        if n in codes
    ]


@dataclass(frozen=True)
class NeedCount:
    need: str
    label: str
    code: str  # the SNOMED CT code, or "" when none is bound
    people: int


@dataclass(frozen=True)
class CarerCounts:
    carers: int  # current carer links (a carer caring for two people counts twice)
    carers_in_index: int  # of them, carers who are themselves in the patient index
    cared_for: int  # distinct people with a current carer


def needs_found(icp: Area, since: date) -> list[NeedCount]:
    """People of the ICP with each need recorded since `since`, in an outreach contact or a referral
    (each person once per need): what planning counts food poverty and digital exclusion by."""
    people: dict[str, set[object]] = {need: set() for need in Need.values}  # person keys
    contacts = OutreachContact.objects.filter(entry__patient__icp=icp, contacted_at__date__gte=since)
    for contact_person, contact_needs in contacts.values_list("entry__patient_id", "needs"):
        for need in contact_needs or []:
            people.setdefault(need, set()).add(contact_person)
    referrals = Referral.objects.filter(patient__icp=icp, created_at__date__gte=since).exclude(
        status__in=["draft", "entered-in-error"]
    )
    for referred_person, referral_needs in referrals.values_list("patient_id", "needs"):
        for need in referral_needs or []:
            people.setdefault(need, set()).add(referred_person)
    codes, labels = need_codes(), dict(Need.choices)
    return [
        NeedCount(need, labels.get(need, need), codes[need].code if need in codes else "", len(ids))
        for need, ids in people.items()
    ]


def carers_recorded(icp: Area, on: date) -> CarerCounts:
    """Carers recorded as people linked to those they care for, current on `on`, in the ICP."""
    current = Carer.objects.filter(patient__icp=icp, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=on)
    )
    return CarerCounts(
        carers=current.count(),
        carers_in_index=current.filter(carer_patient__isnull=False).count(),
        cared_for=current.values("patient_id").distinct().count(),
    )

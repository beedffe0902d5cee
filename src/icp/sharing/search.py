"""Patient search for the shared care record: only people the user has a legitimate relationship with.

The database query finds candidates among the people the user has a care relationship with
(`patients.relationships.related_patients`: registered practice, care team, referral, MDT list,
...); each candidate then passes the access decision for demographics before it is listed. An
ambulance or emergency-department clinician may also find one person by their exact H&C or NHS
number under the emergency purpose. Every search, including a refused one, is one audit event
listing which fields were used and whom it returned (never the terms typed, which are personal data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import Outcome
from icp.partnership.models import home_icp
from icp.patients.models import PatientIndex
from icp.patients.relationships import related_patients
from icp.sharing.policy import OVERRIDABLE, evaluate_many, evaluate_people
from icp.sharing.rules import BREAK_GLASS_ROLES, purposes_for
from icp.sharing.vocabulary import DataCategory, Purpose

MAX_RESULTS = 25
_SEARCH_PURPOSES = (Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION)


@dataclass
class SearchResult:
    patients: list[PatientIndex] = field(default_factory=list)
    purpose: str = ""
    refused: str = ""
    truncated: bool = False
    # The opaque id of the one person whose exact number was given but whom the user has no
    # relationship with: the page offers break glass (with a reason), never their details.
    break_glass_patient_id: str = ""


def search_purpose(user: Any) -> str:
    """The individual-care purpose a user searches under ('' when their role has none)."""
    allowed = purposes_for(getattr(user, "role", ""))
    return next((p for p in _SEARCH_PURPOSES if p in allowed), "")


def normalise_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def _audit(
    user: Any,
    purpose: str,
    outcome: str,
    reason: str,
    fields: list[str],
    found: list[PatientIndex],
    break_glass_offered: str = "",
) -> None:
    home = home_icp(user)
    detail: dict[str, Any] = {
        "fields": fields,
        "results": len(found),
        "patient_ids": [p.patient_id for p in found],
        "icp": home.code if home else "",
    }
    if break_glass_offered:
        detail["break_glass_offered"] = break_glass_offered
    record(
        action=EventType.PATIENT_SEARCH,
        actor=user,
        purpose=purpose,
        outcome=outcome,
        reason=reason,
        detail=detail,
        subjects=[p.patient_id for p in found],
    )


def _break_glass_candidate(user: Any, candidates: Any, number: str, purpose: str, today: date) -> str:
    """The opaque id of the one person with exactly this number whom the decision refuses this user
    for a reason break glass may override (no relationship, consent withdrawn, ...), or ''.

    Only for roles that may break glass; the decision (not audited here: the search's one event
    names the offer) is the same one the record page asks.
    """
    if not number or getattr(user, "role", None) not in BREAK_GLASS_ROLES:
        return ""
    matches = list(candidates.filter(national_id=number)[:2])
    if len(matches) != 1:
        return ""
    decision = evaluate_many(user, matches[0], purpose, [DataCategory.DEMOGRAPHICS], on=today)[1][
        DataCategory.DEMOGRAPHICS
    ]
    return matches[0].patient_id if not decision.allowed and decision.code in OVERRIDABLE else ""


def search_patients(
    user: Any,
    *,
    name: str = "",
    birth_date: date | None = None,
    national_id: str = "",
    limit: int = MAX_RESULTS,
) -> SearchResult:
    """Find people by name, date of birth or national number among those the user may see."""
    fields = [
        f for f, v in (("name", name.strip()), ("birth_date", birth_date), ("national_id", national_id)) if v
    ]
    if not getattr(user, "is_authenticated", False):
        return SearchResult(refused="You are not logged in.")
    purpose = search_purpose(user)
    if not purpose:
        label = user.get_role_display()
        article = "An" if label[:1].upper() in "AEIOU" else "A"
        reason = f"{article} {label} has no care relationship with people, so cannot search for them."
        _audit(user, "", Outcome.DENIED, reason, fields, [])
        return SearchResult(refused=reason)
    if not fields:
        return SearchResult(purpose=purpose, refused="Enter a name, a date of birth or an H&C/NHS number.")
    home = home_icp(user)
    if home is None or not user.organisation_id:
        reason = "Your account is not linked to an ICP and an organisation."
        _audit(user, purpose, Outcome.DENIED, reason, fields, [])
        return SearchResult(purpose=purpose, refused=reason)
    today = timezone.localdate()
    candidates = PatientIndex.objects.filter(icp=home)
    number = normalise_number(national_id)
    if number:
        candidates = candidates.filter(national_id=number)
    if birth_date:
        candidates = candidates.filter(birth_date=birth_date)
    for word in name.split():
        candidates = candidates.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    emergency_lookup = (
        Purpose.EMERGENCY in purposes_for(user.role) and bool(number) and not name.strip() and not birth_date
    )
    related = candidates.filter(pk__in=related_patients(user, today).values("pk"))
    rows = list(
        related.select_related("practice", "icp").order_by("family_name", "given_name", "pk")[: limit + 1]
    )
    search_as = purpose
    if not rows and emergency_lookup:
        rows, search_as = list(candidates.select_related("practice", "icp")[:1]), Purpose.EMERGENCY
    found: list[PatientIndex] = []
    decisions = evaluate_people(user, rows[:limit], search_as, DataCategory.DEMOGRAPHICS, on=today)
    for patient, decision in zip(rows[:limit], decisions, strict=True):
        if decision.allowed and not decision.break_glass:
            found.append(patient)
    offer = "" if found else _break_glass_candidate(user, candidates, number, purpose, today)
    _audit(user, search_as, Outcome.ALLOWED, "", fields, found, break_glass_offered=offer)
    return SearchResult(
        patients=found, purpose=search_as, truncated=len(rows) > limit, break_glass_patient_id=offer
    )

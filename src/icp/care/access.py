"""Who may do care work, and the one way care actions refuse (audited, then PermissionDenied).

The access decision itself is `sharing.policy.decide`; this module only picks the purpose a user's
care work is done for and records refusals. (When the audit app's `deny()` lands, `refuse` calls it.)
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import Outcome
from icp.patients.models import PatientIndex
from icp.sharing.policy import Decision, decide
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import DataCategory, Purpose

# The purposes care work is done for, in order of preference.
CARE_PURPOSES = (Purpose.CARE_COORDINATION, Purpose.DIRECT_CARE)


def care_purpose(user: Any) -> str | None:
    """The purpose the user's care work is done for, or None if their role does no care work."""
    allowed = purposes_for(getattr(user, "role", ""))
    return next((purpose for purpose in CARE_PURPOSES if purpose in allowed), None)


def asked_purpose(user: Any) -> str:
    """The purpose a user's care work is asked for: their care purpose, else direct care, which the
    access decision refuses a role that does no care work, saying so."""
    return care_purpose(user) or Purpose.DIRECT_CARE


def refuse(user: Any, action: EventType, reason: str, **audit: Any) -> PermissionDenied:
    """Record a refusal in the audit chain and return the exception to raise."""
    record(action=action, actor=user, outcome=Outcome.DENIED, reason=reason, **audit)
    return PermissionDenied(reason)


def require_care_access(
    user: Any, patient: PatientIndex, action: EventType, category: str = DataCategory.DEMOGRAPHICS
) -> Decision:
    """The access decision for care work on a person; refuses (audited) when it says no."""
    purpose = care_purpose(user)
    if purpose is None:
        raise refuse(
            user,
            action,
            "Your role does not do care work with people's records.",
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
        )
    decision = decide(user, patient, purpose, category, action=EventType.CARE_ACCESS)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)  # `decide` has already recorded the denial
    return decision

"""Judging one request: the checks, in their order, and the break glass that may override them.

`precheck` is steps 1 and 2 (the user, the purpose and the category, before any person is read);
`judge` is steps 3 to 6 on the gathered `Facts` (ICP, agreement, relationship, choices), then the
break glass. The first failure is the answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from icp.sharing.models import DataSharingAgreement
from icp.sharing.policy.decision import OVERRIDABLE, Code, Decision, day, label
from icp.sharing.policy.facts import Facts
from icp.sharing.rules import categories_for, purposes_for
from icp.sharing.vocabulary import (
    NON_IDENTIFIABLE_PURPOSES,
    PLANNING_PURPOSES,
    AgreementStatus,
    DataCategory,
    Purpose,
)


def precheck(user: Any, purpose: str, category: str) -> tuple[Code, str] | None:
    """Steps 1 and 2: the checks that do not need the person."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Code.UNAUTHENTICATED, "You are not logged in."
    if purpose not in Purpose.values:
        return (
            Code.UNKNOWN_PURPOSE,
            f"Unknown purpose {purpose!r}; choose one of {', '.join(Purpose.values)}.",
        )
    if category not in DataCategory.values:
        return (
            Code.UNKNOWN_CATEGORY,
            f"Unknown data category {category!r}; choose one of {', '.join(DataCategory.values)}.",
        )
    if purpose in NON_IDENTIFIABLE_PURPOSES:
        # Caldicott: identifiable data for direct care only. Planning and evaluation get aggregates
        # or pseudonyms (population pages, pseudonymised worklists), never a named record, on any surface.
        return (
            Code.NOT_IDENTIFIABLE,
            f"{label(Purpose, purpose)} uses aggregate or pseudonymised data only: "
            "a named record is opened for direct care.",
        )
    role_label = user.get_role_display()
    role_label = f"{'An' if role_label[:1].upper() in 'AEIOU' else 'A'} {role_label}"
    if purpose not in purposes_for(user.role):
        return Code.ROLE_PURPOSE, f"{role_label} may not see records for {label(Purpose, purpose)}."
    if category not in categories_for(user.role):
        return Code.ROLE_CATEGORY, f"{role_label} may not see {label(DataCategory, category)}."
    return None


def _not_in_force(agreements: list[DataSharingAgreement], on: date) -> str:
    agreement = agreements[0]
    status = agreement.effective_status(on)
    if status == AgreementStatus.EXPIRED:
        ended = f" on {day(agreement.end_date)}" if agreement.end_date else ""
        return f"Agreement {agreement.reference} expired{ended}; it needs renewing before data is shared."
    if status == AgreementStatus.DRAFT:
        return f"Agreement {agreement.reference} is a draft: it has not been signed."
    if status == AgreementStatus.WITHDRAWN:
        return f"Agreement {agreement.reference} was withdrawn."
    return f"Agreement {agreement.reference} starts on {day(agreement.start_date)}."


def _deny(facts: Facts, category: str, code: Code, reason: str) -> Decision:
    return Decision(False, reason, code, facts.purpose, category, patient_id=facts.patient_id)


def judge(facts: Facts, category: str) -> Decision:
    """Steps 3 to 6 for one category, then break glass (steps 1 and 2 are done by the caller)."""
    decision = _judge_record(facts, category)
    glass = facts.break_glass
    if not decision.allowed and glass is not None and decision.code in OVERRIDABLE:
        return Decision(
            True,
            f"Break glass until {timezone.localtime(glass.expires_at):%H:%M} on "
            f"{day(timezone.localtime(glass.expires_at).date())} "
            f"(would otherwise be denied: {decision.reason})",
            Code.BREAK_GLASS,
            facts.purpose,
            category,
            patient_id=facts.patient_id,
            break_glass=True,
            overridden=decision.code,
        )
    return decision


def _judge_record(facts: Facts, category: str) -> Decision:
    user, patient, purpose = facts.user, facts.patient, facts.purpose
    assert patient is not None
    if not user.organisation_id:
        return _deny(facts, category, Code.NO_ORGANISATION, "Your account is not linked to an organisation.")
    if facts.user_icp is None or facts.user_icp.pk != patient.icp_id:
        return _deny(
            facts,
            category,
            Code.OTHER_ICP,
            "This person is not in the ICP your account works for.",
        )
    if not facts.agreements:
        return _deny(
            facts,
            category,
            Code.NO_AGREEMENT,
            f"{user.organisation.name} is not a party to any data sharing agreement in this ICP.",
        )
    in_force = [a for a in facts.agreements if a.in_force(facts.on)]
    if not in_force:
        return _deny(facts, category, Code.AGREEMENT_NOT_IN_FORCE, _not_in_force(facts.agreements, facts.on))
    for_purpose = [a for a in in_force if purpose in a.purposes]
    if not for_purpose:
        return _deny(
            facts,
            category,
            Code.AGREEMENT_PURPOSE,
            f"No signed agreement of {user.organisation.name} covers {label(Purpose, purpose)}.",
        )
    covering = [a for a in for_purpose if category in a.categories]
    if not covering:
        return _deny(
            facts,
            category,
            Code.AGREEMENT_CATEGORY,
            f"No signed agreement of {user.organisation.name} shares {label(DataCategory, category)} "
            f"for {label(Purpose, purpose)}.",
        )
    if not facts.relationship:
        return _deny(
            facts,
            category,
            Code.NO_RELATIONSHIP,
            f"You have no legitimate relationship with this person for {label(Purpose, purpose)} "
            "(registered practice, care team, open referral to your service, MDT list, pathway or "
            "emergency-response list).",
        )
    # The registered practice holds the record: consent to *share* and withheld records restrict
    # other organisations, not the practice's own view. The planning opt-out applies to everyone.
    if purpose in PLANNING_PURPOSES and facts.opted_out:
        return _deny(
            facts,
            category,
            Code.OPTED_OUT,
            "This person has opted out of the use of their record for planning and research.",
        )
    if purpose not in PLANNING_PURPOSES and facts.consent_withdrawn and not facts.registered_practice:
        return _deny(
            facts,
            category,
            Code.CONSENT_WITHDRAWN,
            "This person has withdrawn consent to share their record beyond their GP practice.",
        )
    if category in facts.withheld and not facts.registered_practice:
        return _deny(
            facts,
            category,
            Code.SENSITIVE_WITHHELD,
            f"This person has asked for their {label(DataCategory, category)} records to be withheld "
            "from sharing.",
        )
    agreement = covering[0]
    return Decision(
        True,
        f"Allowed under {agreement.reference} ({agreement.get_legal_basis_display()}); "
        f"relationship: {facts.relationship}.",
        Code.ALLOWED,
        purpose,
        category,
        patient_id=facts.patient_id,
        agreement=agreement.reference,
        relationship=facts.relationship,
    )

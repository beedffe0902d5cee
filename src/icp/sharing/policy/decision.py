"""The answer of the access decision: a `Decision`, its `Code`, and the words its reasons use.

Every other part of the decision returns a `Decision`; callers read `allowed`, `code` and `reason`.
`OVERRIDABLE` is the list of denials a break glass may turn into an allowance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Why a decision came out as it did (stable codes for tests, audit filters and docs)."""

    ALLOWED = "allowed"
    BREAK_GLASS = "break-glass"
    UNAUTHENTICATED = "unauthenticated"
    UNKNOWN_PURPOSE = "unknown-purpose"
    UNKNOWN_CATEGORY = "unknown-category"
    NOT_IDENTIFIABLE = "not-identifiable"
    ROLE_PURPOSE = "role-purpose"
    ROLE_CATEGORY = "role-category"
    UNKNOWN_PATIENT = "unknown-patient"
    NO_ORGANISATION = "no-organisation"
    OTHER_ICP = "other-icp"
    NO_AGREEMENT = "no-agreement"
    AGREEMENT_NOT_IN_FORCE = "agreement-not-in-force"
    AGREEMENT_PURPOSE = "agreement-purpose"
    AGREEMENT_CATEGORY = "agreement-category"
    NO_RELATIONSHIP = "no-relationship"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    OPTED_OUT = "opted-out"
    SENSITIVE_WITHHELD = "sensitive-withheld"
    # The referral basis: why being party to a referral did not open what was asked.
    NOT_REFERRAL_PARTY = "not-referral-party"
    REFERRAL_DRAFT = "referral-draft"
    REFERRAL_SCOPE = "referral-scope"


# Denials a clinician's break glass may override (never roles, never planning purposes).
OVERRIDABLE = frozenset(
    {
        Code.OTHER_ICP,
        Code.NO_AGREEMENT,
        Code.AGREEMENT_NOT_IN_FORCE,
        Code.AGREEMENT_PURPOSE,
        Code.AGREEMENT_CATEGORY,
        Code.NO_RELATIONSHIP,
        Code.CONSENT_WITHDRAWN,
        Code.SENSITIVE_WITHHELD,
    }
)


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, and why, in words a user can act on."""

    allowed: bool
    reason: str
    code: Code
    purpose: str
    category: str
    patient_id: str = ""
    agreement: str = ""
    relationship: str = ""
    break_glass: bool = False
    overridden: str = ""  # under break glass: the code of the denial it overrode (the banner says why)
    referral: str = ""  # under the referral basis: the referral's opaque id
    party: str = ""  # and the user's side of it: "requester" or "owner" (blank when refused)

    def __bool__(self) -> bool:
        return self.allowed


def label(choices: type[Any], value: str) -> str:
    try:
        return str(choices(value).label).lower()
    except ValueError:
        return value


def day(value: date) -> str:
    """A date the NHS way: "1 March 2026"."""
    return f"{value.day} {value:%B %Y}"

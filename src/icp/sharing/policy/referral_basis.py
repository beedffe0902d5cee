"""The referral basis: being party to a referral opens that referral's own data, and nothing else.

Replaces steps 3 to 6 of the decision for a referral's requester and owner (docs/adr/0180-referral-basis.md).
`ReferralBasis` is what the decision reads of a referral; `judge_referral` is the party check.
"""

from __future__ import annotations

from typing import Any, Protocol

from icp.patients.models import PatientIndex
from icp.sharing.policy.decision import Code, Decision, label
from icp.sharing.vocabulary import INDIVIDUAL_CARE_PURPOSES, DataCategory, Purpose


class ReferralBasis(Protocol):
    """What the decision reads of a referral (`care.referrals.models.Referral` is one).

    The decision takes the referral itself, not a party worked out by its caller, so the party check
    has one copy, here.
    """

    @property
    def public_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def patient_id(self) -> int: ...  # the PatientIndex row's key
    @property
    def patient(self) -> PatientIndex: ...  # lists: select it with the referrals (no query per row)
    @property
    def requester_organisation_id(self) -> int: ...
    @property
    def owner_organisation_id(self) -> int: ...


# A referral's data: who the person is, with the referral's own reason, and nothing else of the record.
REFERRAL_CATEGORY = DataCategory.DEMOGRAPHICS
_DRAFT = "draft"  # the FHIR Task status before the requester sends it: the owner has nothing yet
_PARTY_WORDS = {"requester": "the referring organisation", "owner": "the receiving organisation"}


def judge_referral(
    user: Any, referral: ReferralBasis, patient_id: str, purpose: str, category: str
) -> Decision:
    """The referral basis: the user's organisation is a party to this referral, for its own data.

    Checked in this order, so that an organisation party to neither learns nothing of the referral.
    """

    def deny(code: Code, reason: str) -> Decision:
        return Decision(
            False, reason, code, purpose, category, patient_id=patient_id, referral=referral.public_id
        )

    organisation_id = getattr(user, "organisation_id", None)
    if not organisation_id:
        return deny(Code.NO_ORGANISATION, "Your account is not linked to an organisation.")
    if organisation_id == referral.requester_organisation_id:
        party = "requester"
    elif organisation_id == referral.owner_organisation_id:
        party = "owner"
    else:
        return deny(
            Code.NOT_REFERRAL_PARTY,
            "Only the referring and the receiving organisations' care staff can see or act on a referral.",
        )
    if party == "owner" and referral.status == _DRAFT:
        return deny(Code.REFERRAL_DRAFT, "This referral is still a draft of the referrer's.")
    if purpose not in INDIVIDUAL_CARE_PURPOSES or category != REFERRAL_CATEGORY:
        return deny(
            Code.REFERRAL_SCOPE,
            "Being party to a referral opens that referral only (who the person is and why they are "
            f"referred), for direct care or care coordination, not {label(DataCategory, category)} for "
            f"{label(Purpose, purpose)}: the rest of the record is read under a relationship with the "
            "person, which an accepted referral creates.",
        )
    words = _PARTY_WORDS[party]
    return Decision(
        True,
        f"Party to referral {referral.public_id} as {words}: its own details only.",
        Code.ALLOWED,
        purpose,
        category,
        patient_id=patient_id,
        relationship=f"referral {referral.public_id}, as {words}",
        referral=referral.public_id,
        party=party,
    )

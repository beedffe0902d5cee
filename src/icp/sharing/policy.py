"""The access decision: the one place that answers "may this user see this part of this record?".

`decide(user, patient, purpose, category)` checks, in this order, and denies at the first failure
(the order is part of the design: a user with no business with a person learns nothing about that
person's choices; see docs/adr/0040-access-decision.md and the decision table in
docs/information-sharing.md):

1. the user is logged in; the purpose and data category are known;
2. the user's role may act for the purpose, and may ever see the category (`rules.py`);
3. the person is known, and is in the ICP the user works for;
4. the user's organisation is a party to a signed, in-date agreement of that ICP covering the
   purpose and the category;
5. the user has a legitimate relationship with the person for the purpose (for individual care:
   a `patients.CareRelationship` in force, or the registered practice derived from the index);
6. the person's choices permit (direct-care consent, planning opt-out, sensitive records withheld).

A denial at steps 3 to 6 for a care purpose is overridden while the user holds an active break glass on
the person (roles and planning purposes are never overridden). Every call is recorded in the audit
chain, allowed or denied, with the reason.

**The referral basis** (`referral=`, and `decide_referrals` for a list): being party to a referral
(its requester's organisation, or its owner's from `requested` on) opens that referral's own data
and nothing else: who the person is (`demographics`) and, with it, the referral's reason. Steps 1 and
2 apply as always and the person must be known; the ICP, agreement, relationship and choice checks
(3 to 6) are replaced by the party check, because the referral is a disclosure the referrer already
made under its own decision and refusing its receiver would lose a referral.
The rest of the record opens only through a relationship (an accepted referral creates one) under
steps 3 to 6 (docs/adr/0180-referral-basis.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record_many
from icp.audit.models import Outcome
from icp.partnership.models import Area, home_icp
from icp.partnership.roles import UserRole
from icp.patients.models import PatientIndex
from icp.patients.relationships import Relationship, registered_practices_of, relationships_of_many
from icp.sharing.models import BreakGlass, DataSharingAgreement, PersonChoice
from icp.sharing.rules import categories_for, purposes_for
from icp.sharing.vocabulary import (
    DEFAULT_SENSITIVE_CATEGORIES,
    INDIVIDUAL_CARE_PURPOSES,
    NON_IDENTIFIABLE_PURPOSES,
    PLANNING_PURPOSES,
    AgreementStatus,
    ChoiceKind,
    ChoiceValue,
    DataCategory,
    Purpose,
)

Row = TypeVar("Row")


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


@dataclass
class _Facts:
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


def _label(choices: type[Any], value: str) -> str:
    try:
        return str(choices(value).label).lower()
    except ValueError:
        return value


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


def _relationship(purpose: str, registered: bool, held: list[Relationship]) -> str:
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


def _gather(
    user: Any, patients: Sequence[PatientIndex], purpose: str, on: date, now: datetime
) -> dict[int, _Facts]:
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
    found: dict[int, _Facts] = {}
    for patient in patients:
        facts = _Facts(
            user=user, purpose=purpose, patient=patient, patient_id=patient.patient_id, on=on, now=now
        )
        facts.user_icp = user_icp
        facts.registered_practice = registered[patient.pk]
        if user.organisation_id:
            facts.agreements = agreements[patient.icp_id]
            facts.relationship = _relationship(purpose, registered[patient.pk], held.get(patient.pk, []))
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


def _day(value: date) -> str:
    """A date the NHS way: "1 March 2026"."""
    return f"{value.day} {value:%B %Y}"


def _not_in_force(agreements: list[DataSharingAgreement], on: date) -> str:
    agreement = agreements[0]
    status = agreement.effective_status(on)
    if status == AgreementStatus.EXPIRED:
        ended = f" on {_day(agreement.end_date)}" if agreement.end_date else ""
        return f"Agreement {agreement.reference} expired{ended}; it needs renewing before data is shared."
    if status == AgreementStatus.DRAFT:
        return f"Agreement {agreement.reference} is a draft: it has not been signed."
    if status == AgreementStatus.WITHDRAWN:
        return f"Agreement {agreement.reference} was withdrawn."
    return f"Agreement {agreement.reference} starts on {_day(agreement.start_date)}."


def _deny(facts: _Facts, category: str, code: Code, reason: str) -> Decision:
    return Decision(False, reason, code, facts.purpose, category, patient_id=facts.patient_id)


def _judge(facts: _Facts, category: str) -> Decision:
    """Steps 3 to 6 for one category, then break glass (steps 1 and 2 are done by the caller)."""
    decision = _judge_record(facts, category)
    glass = facts.break_glass
    if not decision.allowed and glass is not None and decision.code in OVERRIDABLE:
        return Decision(
            True,
            f"Break glass until {timezone.localtime(glass.expires_at):%H:%M} on "
            f"{_day(timezone.localtime(glass.expires_at).date())} "
            f"(would otherwise be denied: {decision.reason})",
            Code.BREAK_GLASS,
            facts.purpose,
            category,
            patient_id=facts.patient_id,
            break_glass=True,
            overridden=decision.code,
        )
    return decision


def _judge_record(facts: _Facts, category: str) -> Decision:
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
            f"No signed agreement of {user.organisation.name} covers {_label(Purpose, purpose)}.",
        )
    covering = [a for a in for_purpose if category in a.categories]
    if not covering:
        return _deny(
            facts,
            category,
            Code.AGREEMENT_CATEGORY,
            f"No signed agreement of {user.organisation.name} shares {_label(DataCategory, category)} "
            f"for {_label(Purpose, purpose)}.",
        )
    if not facts.relationship:
        return _deny(
            facts,
            category,
            Code.NO_RELATIONSHIP,
            f"You have no legitimate relationship with this person for {_label(Purpose, purpose)} "
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
            f"This person has asked for their {_label(DataCategory, category)} records to be withheld "
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


def _judge_referral(
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
            f"referred), for direct care or care coordination, not {_label(DataCategory, category)} for "
            f"{_label(Purpose, purpose)}: the rest of the record is read under a relationship with the "
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


def _precheck(user: Any, purpose: str, category: str) -> tuple[Code, str] | None:
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
            f"{_label(Purpose, purpose)} uses aggregate or pseudonymised data only: "
            "a named record is opened for direct care.",
        )
    role_label = user.get_role_display()
    role_label = f"{'An' if role_label[:1].upper() in 'AEIOU' else 'A'} {role_label}"
    if purpose not in purposes_for(user.role):
        return Code.ROLE_PURPOSE, f"{role_label} may not see records for {_label(Purpose, purpose)}."
    if category not in categories_for(user.role):
        return Code.ROLE_CATEGORY, f"{role_label} may not see {_label(DataCategory, category)}."
    return None


def _resolve(patient: PatientIndex | str | None) -> tuple[PatientIndex | None, str]:
    if isinstance(patient, PatientIndex):
        return patient, patient.patient_id
    patient_id = str(patient or "")[:64]
    found = PatientIndex.objects.select_related("icp").filter(patient_id=patient_id).first()
    return found, patient_id


_OUTCOME = {True: Outcome.ALLOWED, False: Outcome.DENIED}


def _audit_event(user: Any, decision: Decision, action: EventType, icp_code: str) -> dict[str, Any]:
    """The audit event of one decision, as `record()`'s arguments (a referral's, under the referral basis)."""
    referral_basis = {"referral": decision.referral, "party": decision.party} if decision.referral else {}
    return dict(
        action=action,
        actor=user,
        target_type="care.referral" if decision.referral else "patient",
        target_id=decision.referral or decision.patient_id,
        patient_ref=decision.patient_id,
        purpose=decision.purpose[:64],  # an unknown purpose is whatever was typed: keep it bounded
        outcome=Outcome.BREAK_GLASS if decision.break_glass else _OUTCOME[decision.allowed],
        reason=decision.reason,
        detail={
            "category": decision.category[:64],
            "code": str(decision.code),
            "agreement": decision.agreement,
            "relationship": decision.relationship,
            "icp": icp_code,
            **referral_basis,
        },
    )


def evaluate_many(
    user: Any,
    patient: PatientIndex | str | None,
    purpose: str,
    categories: list[str] | tuple[str, ...],
    *,
    on: date | None = None,
    referral: ReferralBasis | None = None,
) -> tuple[PatientIndex | None, dict[str, Decision]]:
    """The decisions without their audit events.

    Only for callers that record the surrounding action themselves as one audit event (patient
    search lists many people at once); everything that shows a record calls `decide`.
    """
    now = timezone.now()
    on = on or timezone.localdate(now)
    found, patient_id = _resolve(patient)
    if referral is not None and found is not None and referral.patient_id != found.pk:
        raise ValueError("The referral is not about this person.")
    facts: _Facts | None = None
    decisions: dict[str, Decision] = {}
    for category in categories:
        refused = _precheck(user, purpose, category)
        if refused is not None:
            decision = Decision(False, refused[1], refused[0], purpose, category, patient_id=patient_id)
        elif found is None:
            decision = Decision(
                False,
                "No record with that id is available to you.",
                Code.UNKNOWN_PATIENT,
                purpose,
                category,
                patient_id=patient_id,
            )
        elif referral is not None:
            decision = _judge_referral(user, referral, patient_id, purpose, category)
        else:
            if facts is None:
                facts = _gather(user, [found], purpose, on, now)[found.pk]
            decision = _judge(facts, category)
        decisions[category] = decision
    return found, decisions


def evaluate_people(
    user: Any,
    patients: Sequence[PatientIndex],
    purpose: str,
    category: str,
    *,
    on: date | None = None,
) -> list[Decision]:
    """One category's decision for each of many people, in their order, without audit events: what
    `evaluate_many` gives person by person, from a fixed number of queries (a worklist, a caseload, a
    list of search hits). The caller records the list it shows as one audit event naming the people.
    """
    now = timezone.now()
    on = on or timezone.localdate(now)
    refused = _precheck(user, purpose, category)
    if refused is not None:
        return [
            Decision(False, refused[1], refused[0], purpose, category, patient_id=p.patient_id)
            for p in patients
        ]
    facts = _gather(user, patients, purpose, on, now)
    return [_judge(facts[patient.pk], category) for patient in patients]


def readable(
    user: Any,
    rows: Sequence[Row],
    patient_of: Callable[[Row], PatientIndex],
    purpose: str,
    category: str,
) -> tuple[list[Row], int]:
    """The rows of a list (a worklist, a caseload, an MDT meeting's cases) whose person the user may
    see for the purpose, in order, and how many were left out: `evaluate_people` over the rows."""
    decisions = evaluate_people(user, [patient_of(row) for row in rows], purpose, category)
    shown = [row for row, decision in zip(rows, decisions, strict=True) if decision.allowed]
    return shown, len(rows) - len(shown)


def decide_many(
    user: Any,
    patient: PatientIndex | str | None,
    purpose: str,
    categories: list[str] | tuple[str, ...],
    *,
    action: EventType = EventType.RECORD_ACCESS,
    on: date | None = None,
    referral: ReferralBasis | None = None,
) -> dict[str, Decision]:
    """Decide several categories of one record at once (one audit event per category)."""
    found, decisions = evaluate_many(user, patient, purpose, categories, on=on, referral=referral)
    icp_code = found.icp.code if found is not None else ""
    # One append for the page's events (one lock, one look at the chain's head, one INSERT, one
    # commit) instead of one per category: the record page's largest cost after the warehouse reads.
    record_many([_audit_event(user, decision, action, icp_code) for decision in decisions.values()])
    return decisions


def decide(
    user: Any,
    patient: PatientIndex | str | None,
    purpose: str,
    category: str = DataCategory.DEMOGRAPHICS,
    *,
    action: EventType = EventType.RECORD_ACCESS,
    on: date | None = None,
    referral: ReferralBasis | None = None,
) -> Decision:
    """May `user` see `category` of `patient`'s record for `purpose`? Audited, allowed or denied.

    `patient` is a PatientIndex row or its opaque `patient_id`. With `referral` (a referral about
    that person), the question is the referral basis's: may the user see that referral?
    """
    return decide_many(user, patient, purpose, [category], action=action, on=on, referral=referral)[category]


def decide_referrals(
    user: Any,
    referrals: Sequence[ReferralBasis],
    purpose: str,
    *,
    action: EventType,
    detail: dict[str, Any] | None = None,
) -> list[Decision]:
    """The referral basis for a list (an inbox, an outbox, a search): one decision per referral, in
    order, and one audit event for the list naming the referrals and people it showed.

    The user's checks are made once and each referral's party check reads only the referral (and its
    person, selected with it), so a list of any length costs no query but the one audit append.
    """
    refused = _precheck(user, purpose, REFERRAL_CATEGORY)
    decisions = [
        Decision(
            False, refused[1], refused[0], purpose, REFERRAL_CATEGORY, patient_id=referral.patient.patient_id
        )
        if refused is not None
        else _judge_referral(user, referral, referral.patient.patient_id, purpose, REFERRAL_CATEGORY)
        for referral in referrals
    ]
    shown = [(r.public_id, d.patient_id) for r, d in zip(referrals, decisions, strict=True) if d.allowed]
    record_many(
        [
            dict(
                action=action,
                actor=user,
                target_type="care.referral",
                purpose=purpose[:64],
                outcome=Outcome.DENIED if refused is not None else Outcome.ALLOWED,
                reason=refused[1] if refused is not None else "",
                detail={
                    "category": REFERRAL_CATEGORY.value,
                    "count": len(shown),
                    "referrals": [public_id for public_id, _ in shown][:200],
                    "refused": {
                        str(code): sum(1 for d in decisions if d.code == code)
                        for code in sorted({d.code for d in decisions if not d.allowed})
                    },
                    **(detail or {}),
                },
                subjects=sorted({patient_id for _, patient_id in shown}),
            )
        ]
    )
    return decisions


# A person's right of access to their own data (UK GDPR Article 15): not a purpose of sharing, so it
# is not in `Purpose` and no agreement, relationship or sharing choice governs it.
SUBJECT_ACCESS = "subject_access"


def decide_subject_access(
    user: Any, patient: PatientIndex | str | None
) -> tuple[PatientIndex | None, dict[str, Decision]]:
    """May `user` produce `patient`'s subject-access export (their whole record and access log)?

    Only the IG lead of the person's ICP, acting for the data controller, answers a right-of-access
    request. The data goes to the person themselves, so sharing agreements, relationships and the
    person's sharing choices (which restrict sharing with others) do not apply. Not audited here:
    the one caller, `icp.sharing.subject_access.export`, records the request allowed or refused as
    one event with what it contained.
    """
    found, patient_id = _resolve(patient)

    def answer(allowed: bool, code: Code, reason: str) -> tuple[PatientIndex | None, dict[str, Decision]]:
        return found, {
            category: Decision(allowed, reason, code, SUBJECT_ACCESS, category, patient_id=patient_id)
            for category in DataCategory.values
        }

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return answer(False, Code.UNAUTHENTICATED, "You are not logged in.")
    if user.role != UserRole.IG_LEAD:
        return answer(
            False, Code.ROLE_PURPOSE, "Only an information-governance lead produces a subject-access export."
        )
    if found is None:
        return answer(False, Code.UNKNOWN_PATIENT, "No record with that id is available to you.")
    user_icp = home_icp(user)
    if user_icp is None or user_icp.pk != found.icp_id:
        return answer(False, Code.OTHER_ICP, "This person is not in the ICP your account works for.")
    return answer(True, Code.ALLOWED, "Subject access request answered by the IG lead of the person's ICP.")


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

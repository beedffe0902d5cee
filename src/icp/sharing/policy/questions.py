"""The questions callers ask of the decision, and the audit of every answer.

`decide` and `decide_many` (one record, audited per category), `decide_referrals` (a list of
referrals, audited as one event), and, for callers that audit the list they show themselves,
`evaluate_many`, `evaluate_people` and `readable`. Each resolves the person, runs `precheck`, gathers
the facts and judges them (or the referral basis); none judges anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record_many
from icp.audit.models import Outcome
from icp.patients.models import PatientIndex
from icp.sharing.policy.decision import Code, Decision
from icp.sharing.policy.facts import Facts, gather, resolve
from icp.sharing.policy.judge import judge, precheck
from icp.sharing.policy.referral_basis import REFERRAL_CATEGORY, ReferralBasis, judge_referral
from icp.sharing.vocabulary import DataCategory

Row = TypeVar("Row")


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
    found, patient_id = resolve(patient)
    if referral is not None and found is not None and referral.patient_id != found.pk:
        raise ValueError("The referral is not about this person.")
    facts: Facts | None = None
    decisions: dict[str, Decision] = {}
    for category in categories:
        refused = precheck(user, purpose, category)
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
            decision = judge_referral(user, referral, patient_id, purpose, category)
        else:
            if facts is None:
                facts = gather(user, [found], purpose, on, now)[found.pk]
            decision = judge(facts, category)
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
    refused = precheck(user, purpose, category)
    if refused is not None:
        return [
            Decision(False, refused[1], refused[0], purpose, category, patient_id=p.patient_id)
            for p in patients
        ]
    facts = gather(user, patients, purpose, on, now)
    return [judge(facts[patient.pk], category) for patient in patients]


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
    refused = precheck(user, purpose, REFERRAL_CATEGORY)
    decisions = [
        Decision(
            False, refused[1], refused[0], purpose, REFERRAL_CATEGORY, patient_id=referral.patient.patient_id
        )
        if refused is not None
        else judge_referral(user, referral, referral.patient.patient_id, purpose, REFERRAL_CATEGORY)
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

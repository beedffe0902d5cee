"""Reading referrals: an organisation's inbox and outbox, and one referral, each read through the
access decision's referral basis (`sharing.policy`), whose audit event is the read's one event.

A referral is readable by the care staff of its requester's and its owner's organisations (the
owner from `requested` on); anyone else is refused with 403 and the refusal is audited. What a
referral shows of the person is what is needed to act on it (name, date of birth, national number,
the reason); the rest of the record is the access decision's ordinary question, which an accepted
referral's `CareRelationship` opens. `visible_to` only narrows the database query to the referrals
the decision could allow; the decision judges every row shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from icp.audit.events import EventType
from icp.care.access import asked_purpose, care_purpose
from icp.care.referrals.actions import party_or_refuse
from icp.care.referrals.clocks import clock
from icp.care.referrals.models import Referral
from icp.care.referrals.states import ACTIVE, Party, TaskStatus
from icp.sharing.policy import decide_referrals


def _related(rows: QuerySet[Referral]) -> QuerySet[Referral]:
    return rows.select_related(
        "patient", "service", "requester_organisation", "owner_organisation", "requested_by", "replaces"
    )


def visible_to(user: Any) -> QuerySet[Referral]:
    """Every referral the user's organisation is party to (none for a role that does no care work)."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None or care_purpose(user) is None:
        return Referral.objects.none()
    mine = Q(requester_organisation_id=organisation_id) | (
        Q(owner_organisation_id=organisation_id) & ~Q(status=TaskStatus.DRAFT)
    )
    return _related(Referral.objects.filter(mine))


def box(user: Any, which: str) -> QuerySet[Referral]:
    """The inbox (referrals owned by the user's organisation) or outbox (made by it)."""
    rows = visible_to(user)
    if which == "inbox":
        return rows.filter(owner_organisation_id=user.organisation_id).order_by("-requested_at", "-id")
    if which == "outbox":
        return rows.filter(requester_organisation_id=user.organisation_id).order_by("-created_at", "-id")
    raise ValueError(f"box is 'inbox' or 'outbox', not {which!r}")


def shown(
    user: Any, referrals: list[Referral], action: EventType, purpose: str | None = None, **detail: Any
) -> list[Referral]:
    """The referrals of a list the access decision lets the user see (one audit event for the list)."""
    decisions = decide_referrals(
        user, referrals, purpose or asked_purpose(user), action=action, detail=detail
    )
    return [referral for referral, decision in zip(referrals, decisions, strict=True) if decision.allowed]


def read(
    user: Any, public_id: str, action: EventType = EventType.REFERRAL_READ, purpose: str | None = None
) -> tuple[Referral, Party]:
    """One referral for a party of it (the decision's event is the read's); 404 unknown, 403 anyone else."""
    referral = _related(Referral.objects.filter(public_id=str(public_id)[:32])).first()
    if referral is None:
        raise Http404("No referral with that id.")
    return referral, party_or_refuse(user, referral, action, purpose)


@dataclass(frozen=True)
class BreachAlerts:
    """How many of the organisation's referrals are past their service's stated time, per box."""

    inbox: int
    outbox: int

    @property
    def any(self) -> bool:
        return bool(self.inbox or self.outbox)


def breach_alerts(user: Any, now: datetime | None = None) -> BreachAlerts:
    """The alert for the receiving organisation (inbox) and the referring one (outbox): counts only."""
    now = now or timezone.now()
    waiting = visible_to(user).filter(status__in=[TaskStatus.REQUESTED.value, *(s.value for s in ACTIVE)])
    inbox = outbox = 0
    for referral in waiting:
        if clock(referral, now).breached:
            if referral.owner_organisation_id == user.organisation_id:
                inbox += 1
            if referral.requester_organisation_id == user.organisation_id:
                outbox += 1
    return BreachAlerts(inbox, outbox)

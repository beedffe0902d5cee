"""Reading referrals: an organisation's inbox and outbox, and one referral, each read audited.

A referral is readable by the care staff of its requester's and its owner's organisations (the
owner from `requested` on); anyone else is refused with 403 and the refusal is audited. What a
referral shows of the person is what is needed to act on it (name, date of birth, national number,
the reason); the rest of the record needs the access decision, which an accepted referral's
`CareRelationship` opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import care_purpose
from icp.care.referrals.actions import party_or_refuse
from icp.care.referrals.clocks import clock
from icp.care.referrals.models import Referral
from icp.care.referrals.states import ACTIVE, Party, TaskStatus


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


def audit_list(user: Any, action: EventType, referrals: list[Referral], **detail: Any) -> None:
    """One event for a list shown: how many, and which (opaque ids only)."""
    record(
        action=action,
        actor=user,
        detail={"count": len(referrals), "referrals": [r.public_id for r in referrals][:200], **detail},
    )


def read(user: Any, public_id: str, action: EventType = EventType.REFERRAL_READ) -> tuple[Referral, Party]:
    """One referral for a party of it (audited); 404 for an unknown id, 403 for anyone else."""
    referral = _related(Referral.objects.filter(public_id=str(public_id)[:32])).first()
    if referral is None:
        raise Http404("No referral with that id.")
    party = party_or_refuse(user, referral, action)
    record(
        action=action,
        actor=user,
        target_type="care.referral",
        target_id=referral.public_id,
        patient_ref=referral.patient.patient_id,
        detail={"party": party.value, "status": referral.status},
    )
    return referral, party


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

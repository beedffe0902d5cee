"""Write and verify the audit chain.

`record()` is the one way to add an event, and `deny()` the one way an action refuses: it records
the refusal and hands back the `PermissionDenied` to raise. Every event's type is a member of the
closed list `EventType` (events.py). The hash of each event covers its own fields and the
previous event's hash (SHA-256 over canonical JSON), so `verify()` can find the first row that was
altered, inserted or removed behind icp's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.models import AuditEvent, Outcome

GENESIS = "0" * 64
# A fixed key for PostgreSQL's transaction-level advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 7_410_202_611

_HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_organisation",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "patient_ref",
    "purpose",
    "outcome",
    "reason",
    "detail",
)


def _canonical(event: AuditEvent) -> str:
    values: dict[str, Any] = {name: getattr(event, name) for name in _HASHED_FIELDS}
    values["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


def _digest(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode("utf-8")).hexdigest()


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "actor_organisation": "", "actor_role": ""}
    organisation = getattr(actor, "organisation", None)
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "actor_organisation": getattr(organisation, "code", "") or "",
        "actor_role": getattr(actor, "role", "") or "",
    }


def record(
    *,
    action: EventType,
    actor: Any = None,
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    patient_ref: str = "",
    purpose: str = "",
    outcome: str = Outcome.SUCCESS,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. `target` (a model instance) fills target_type and target_id.

    `action` must be an `EventType` (a plain string naming one is accepted; any other is refused
    with ValueError, so the list of event types stays closed).
    """
    event_type = EventType(action)
    outcome = Outcome(outcome)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            occurred_at=timezone.now(),
            action=event_type.value,
            target_type=target_type,
            target_id=str(target_id),
            patient_ref=str(patient_ref),
            purpose=purpose,
            outcome=outcome.value,
            reason=reason,
            detail=detail or {},
            prev_hash=last or GENESIS,
            **_actor_fields(actor),
        )
        event.hash = _digest(event.prev_hash, event)
        event.save()
    return event


def deny(
    *,
    action: EventType,
    by: Any,
    reason: str,
    message: str = "",
    target: Any = None,
    **audit: Any,
) -> PermissionDenied:
    """Record that `by` was refused `action`, and return the PermissionDenied to raise.

    `reason` is stored in the audit trail (short, for the IG lead); `message` is what the person is
    told (defaults to the reason). `audit` passes the other event fields (patient_ref, purpose,
    target_type, target_id, detail). Use it as `raise deny(...)` in an action; a page that shows its
    own 403 can call it and render `str(error)`.
    """
    record(action=action, actor=by, target=target, outcome=Outcome.DENIED, reason=reason, **audit)
    return PermissionDenied(message or reason)


@dataclass(frozen=True)
class ChainBreak:
    """One place where the stored chain does not match what its rows say."""

    event_id: int
    problem: str


def verify(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Recompute the chain in id order, streaming; yield each break found."""
    expected_prev = GENESIS
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return
        for event in rows:
            if event.prev_hash != expected_prev:
                yield ChainBreak(event.id, "previous-hash link broken (a row was removed or inserted)")
            if _digest(event.prev_hash, event) != event.hash:
                yield ChainBreak(event.id, "contents do not match their hash (the row was altered)")
            expected_prev = event.hash
            last_id = event.id

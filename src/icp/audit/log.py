"""Write and verify the audit chain.

`record()` is the one way to add an event. The hash of each event covers its own fields and the
previous event's hash (SHA-256 over canonical JSON), so `verify()` can find the first row that was
altered, inserted or removed behind icp's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

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
    action: str,
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
    """Append one event to the chain. `target` (a model instance) fills target_type and target_id."""
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
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            patient_ref=str(patient_ref),
            purpose=purpose,
            outcome=outcome,
            reason=reason,
            detail=detail or {},
            prev_hash=last or GENESIS,
            **_actor_fields(actor),
        )
        event.hash = _digest(event.prev_hash, event)
        event.save()
    return event


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

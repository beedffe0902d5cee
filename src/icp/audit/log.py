"""Write the audit chain: one keyed, numbered, serialised append per event.

`record()` is the one way to add an event, and `deny()` the one way an action refuses: it records
the refusal and hands back the `PermissionDenied` to raise. Every event's type is a member of the
closed list `EventType` (events.py). Each event gets the next sequence number and the hash
HMAC-SHA256(key, previous hash + canonical JSON of its fields), under a key the database does not hold
(`icp.audit.keys`). Appends are serialised (PostgreSQL: a transaction-level advisory lock; SQLite:
`BEGIN IMMEDIATE`, configured in settings), and the unique sequence number refuses a forked chain
even if a writer slipped past the lock. Once the transaction commits, the process appends the signed
head to the checkpoint log outside the database (`icp.audit.checkpoints`). `icp.audit.verify` checks
all of it. Events written before the chain was keyed (`key_id` empty: plain SHA-256) stay verifiable;
the first keyed event after them anchors them (docs/adr/0002-audit-chain.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from icp.audit import bounds, checkpoints
from icp.audit.events import EventType
from icp.audit.keys import AuditKeyError, Keyring, load_keyring
from icp.audit.models import AuditEvent, AuditEventSubject, Outcome

GENESIS = "0" * 64
# The key under which `prepared()` hands an event's subjects to `append_events` (not a column).
SUBJECTS = "_subjects"
LEGACY_KEY_ID = ""
KEY_ROTATED = EventType.AUDIT_KEY_ROTATED
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
# The text columns and their lengths: what record() bounds each value to.
_LIMITS: dict[str, int] = {
    field.name: field.max_length
    for field in AuditEvent._meta.concrete_fields
    if field.name in _HASHED_FIELDS and isinstance(field.max_length, int)
}


def _canonical(event: AuditEvent, *, keyed: bool) -> str:
    values: dict[str, Any] = {name: getattr(event, name) for name in _HASHED_FIELDS}
    values["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
    if keyed:
        values["sequence"] = event.sequence
        values["key_id"] = event.key_id
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


def digest(event: AuditEvent, keyring: Keyring) -> str:
    """The hash the event should carry: keyed HMAC, or plain SHA-256 for a legacy event."""
    if event.key_id == LEGACY_KEY_ID:
        return hashlib.sha256((event.prev_hash + _canonical(event, keyed=False)).encode("utf-8")).hexdigest()
    message = (event.prev_hash + _canonical(event, keyed=True)).encode("utf-8")
    return hmac.new(keyring.key(event.key_id), message, hashlib.sha256).hexdigest()


def next_key_id(last: AuditEvent | None, keyring: Keyring) -> str:
    """The key the next event is signed with: the chain's current key, or after a rotation event the
    key it names; a new or legacy chain starts on the newest key in the keyring."""
    if last is None or last.key_id == LEGACY_KEY_ID:
        return keyring.newest_id
    if last.action == KEY_ROTATED:
        return str(last.detail.get("to_key", ""))
    return last.key_id


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


class _PendingHead(threading.local):
    """The newest event this thread wrote in the current transaction, checkpointed once it commits."""

    ticket = 0


_pending = _PendingHead()


def _checkpoint_on_commit(keyring: Keyring, event: AuditEvent, extra: dict[str, Any]) -> None:
    # One checkpoint per committed transaction: each append takes a ticket and only the newest
    # ticket's callback writes (the head then covers every event of the transaction).
    _pending.ticket += 1
    ticket = _pending.ticket

    def write() -> None:
        if ticket == _pending.ticket or extra:
            checkpoints.append(
                keyring, sequence=event.sequence, hash=event.hash, key_id=event.key_id, **extra
            )

    transaction.on_commit(write)


def append_event(fields: dict[str, Any], *, checkpoint: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event with the given (already bounded) fields; the chain's own bookkeeping is here."""
    return append_events([fields], checkpoint=checkpoint)[0]


def append_events(
    many: Sequence[dict[str, Any]], *, checkpoint: dict[str, Any] | None = None
) -> list[AuditEvent]:
    """Append events, in order, under one lock with one look at the chain's head and one INSERT.

    A record page writes one event per category of the record; appending them together keeps the
    chain exactly as one-by-one appends would (each event's hash covers the previous one's), while
    the lock is taken and the head read once, not once an event.
    """
    keyring = load_keyring()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = (
            AuditEvent.objects.order_by("-sequence")
            .only("sequence", "hash", "key_id", "action", "detail")
            .first()
        )
        events: list[AuditEvent] = []
        subjects: list[list[str]] = []
        for given in many:
            fields = dict(given)
            subjects.append(fields.pop(SUBJECTS, []))
            event = AuditEvent(
                occurred_at=timezone.now(),
                sequence=(last.sequence + 1) if last else 1,
                prev_hash=last.hash if last else GENESIS,
                key_id=next_key_id(last, keyring),
                **fields,
            )
            if not keyring.holds(event.key_id):
                raise AuditKeyError(
                    f"the audit chain is signed with key {event.key_id}, which {keyring.source} lacks"
                )
            event.hash = digest(event, keyring)
            events.append(event)
            last = event
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events)
        AuditEventSubject.objects.bulk_create(
            [
                AuditEventSubject(event=event, patient_ref=ref)
                for event, refs in zip(events, subjects, strict=True)
                for ref in refs
            ],
            batch_size=1000,
        )
        if events:
            _checkpoint_on_commit(keyring, events[-1], checkpoint or {})
    return events


def prepared(
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
    subjects: Iterable[str] = (),
) -> dict[str, Any]:
    """An event's stored fields, checked and bounded as `record()` stores them (see `record`); the
    people it lists, if any, under `SUBJECTS` (they become subject rows, not a column)."""
    event_type = EventType(action)
    outcome = Outcome(outcome)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    stored_purpose, purpose_given = bounds.bounded_purpose(purpose)
    detail = bounds.bounded_detail(detail)
    if purpose_given:
        detail["purpose_given"] = purpose_given
    fields: dict[str, Any] = {
        "action": event_type.value,
        "target_type": target_type,
        "target_id": target_id,
        "patient_ref": patient_ref,
        "purpose": stored_purpose,
        "outcome": outcome.value,
        **_actor_fields(actor),
    }
    for name, limit in _LIMITS.items():
        if name in fields:
            fields[name] = bounds.bounded_text(fields[name], limit)
    fields["reason"] = bounds.bounded_text(reason, bounds.REASON_LIMIT)
    people = sorted({bounds.bounded_text(ref, 64) for ref in subjects if ref})
    if people:
        detail["subjects"] = {"count": len(people), "digest": subjects_digest(people)}
        fields[SUBJECTS] = people
    fields["detail"] = detail
    return fields


def subjects_digest(patient_refs: Iterable[str]) -> str:
    """SHA-256 over the sorted subject ids: what an event's hashed detail commits to."""
    return hashlib.sha256("\n".join(sorted(patient_refs)).encode("utf-8")).hexdigest()


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
    subjects: Iterable[str] = (),
) -> AuditEvent:
    """Append one event to the chain. `target` (a model instance) fills target_type and target_id.

    `subjects` are the people an event about several at once was about (a search's hits, a worklist
    page or export): each gets an `AuditEventSubject` row, however many, so each person's access log
    finds the event; the hashed detail carries their count and digest (`subjects_digest`).

    Every text field is bounded and stripped of control characters; a purpose that is not a purpose
    code is stored as `unrecognised`, with the value given (bounded) under `detail["purpose_given"]`.
    `action` must be an `EventType` (a plain string naming one is accepted; any other is refused
    with ValueError, so the list of event types stays closed).
    """
    return append_event(
        prepared(
            action=action,
            actor=actor,
            target=target,
            target_type=target_type,
            target_id=target_id,
            patient_ref=patient_ref,
            purpose=purpose,
            outcome=outcome,
            reason=reason,
            detail=detail,
            subjects=subjects,
        )
    )


def record_many(events: Sequence[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events at once, in order; each item holds `record()`'s keyword arguments."""
    return append_events([prepared(**event) for event in events])


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

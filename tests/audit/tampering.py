"""What an attacker with write access to the database, but not the audit key, can do to the chain."""

from __future__ import annotations

import hashlib
import json

from django.db import connection

from icp.audit.log import GENESIS
from icp.audit.models import AuditEvent

_PLAIN_FIELDS = (
    *("actor_id", "actor_username", "actor_organisation", "actor_role", "action", "target_type"),
    *("target_id", "patient_ref", "purpose", "outcome", "reason", "detail"),
)


def delete_events(*pks: int) -> None:
    with connection.cursor() as cursor:
        for pk in pks:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [pk])


def recompute_plain_hashes(*, renumber: bool, drop_key: bool = False) -> None:
    """Walk the chain and rewrite every prev_hash and hash with plain SHA-256 (the old scheme), as
    the security review did after deleting rows; optionally renumber the sequence and clear key ids
    (passing the whole chain off as one written before keys)."""
    previous = GENESIS
    updates = []
    for position, event in enumerate(AuditEvent.objects.order_by("sequence"), start=1):
        values = {name: getattr(event, name) for name in _PLAIN_FIELDS}
        values["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
        text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256((previous + text).encode()).hexdigest()
        updates.append((position if renumber else event.sequence, previous, digest, event.key_id, event.pk))
        previous = digest
    with connection.cursor() as cursor:
        # Park hashes and sequences first so the unique constraints do not trip mid-rewrite.
        cursor.execute("UPDATE audit_auditevent SET hash = 'x' || id, sequence = -id")
        for sequence, prev_hash, digest, key, pk in updates:
            cursor.execute(
                "UPDATE audit_auditevent SET sequence = %s, prev_hash = %s, hash = %s, key_id = %s "
                "WHERE id = %s",
                [sequence, prev_hash, digest, "" if drop_key else key, pk],
            )

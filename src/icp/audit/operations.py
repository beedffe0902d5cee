"""The audited operations on the chain itself: anchor a legacy chain, re-anchor after a restore, rotate
the key. Each refuses on a chain that does not verify (it would otherwise bless a tampered one) and
records its own event, so the trail says when and by whom (the operating-system account) it was done.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass

from icp.audit import bounds
from icp.audit.events import EventType
from icp.audit.keys import AuditKeyError, add_key_to_file, load_keyring
from icp.audit.log import KEY_ROTATED, LEGACY_KEY_ID, append_event
from icp.audit.models import AuditEvent, Outcome
from icp.audit.verify import Report, verify

CHAIN_ANCHORED = EventType.AUDIT_CHAIN_ANCHORED
RESTORED = EventType.AUDIT_RESTORED


class ChainOperationRefused(RuntimeError):
    """The chain is not in a state where this operation is safe; the message says why."""


@dataclass(frozen=True)
class Done:
    event: AuditEvent | None
    message: str


def _system_fields(action: str, reason: str, detail: Mapping[str, object]) -> dict[str, object]:
    return {
        "actor_id": None,
        "actor_username": bounds.bounded_text(f"system:{_os_user()}", 150),
        "actor_organisation": "",
        "actor_role": "",
        "action": action,
        "target_type": "audit.chain",
        "target_id": "",
        "patient_ref": "",
        "purpose": "",
        "outcome": Outcome.SUCCESS,
        "reason": bounds.bounded_text(reason, bounds.REASON_LIMIT),
        "detail": bounds.bounded_detail(dict(detail)),
    }


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _refuse_unless_intact(
    report: Report, *, ignore_truncation: bool = False, ignore_legacy: bool = False
) -> None:
    problems = []
    for chain_break in report.breaks:
        if ignore_truncation and "newest events were removed" in chain_break.problem:
            continue
        if ignore_legacy and "not anchored" in chain_break.problem:
            continue
        problems.append(chain_break.problem)
    if problems:
        raise ChainOperationRefused(
            f"the chain does not verify ({len(problems)} problem(s), first: {problems[0]}); "
            "run `icp audit verify`"
        )


def anchor_legacy_chain(*, reason: str = "upgrade to the keyed chain") -> Done:
    """Anchor events hashed before the chain was keyed with a keyed event (`icp audit upgrade`)."""
    report = verify()
    last = AuditEvent.objects.order_by("-sequence").first()
    if last is None or last.key_id != LEGACY_KEY_ID:
        return Done(None, "nothing to anchor: the newest event is already keyed")
    _refuse_unless_intact(report, ignore_legacy=True)
    detail = {
        "legacy_events": report.legacy_events,
        "legacy_head": last.hash,
        "legacy_head_sequence": last.sequence,
    }
    event = append_event(_system_fields(CHAIN_ANCHORED, reason, detail))
    return Done(event, f"anchored {report.legacy_events} legacy events at sequence {event.sequence}")


def reanchor_after_restore(*, reason: str) -> Done:
    """After restoring a backup: record "restored to sequence N" and a checkpoint that retires the
    checkpoints of the discarded timeline (`icp audit restored`)."""
    report = verify()
    _refuse_unless_intact(report, ignore_truncation=True)
    if report.newest_checkpoint is None or report.newest_checkpoint <= report.last_sequence:
        return Done(None, "nothing to re-anchor: the chain already reaches the newest checkpoint")
    detail = {
        "restored_to_sequence": report.last_sequence,
        "newest_checkpoint_before_restore": report.newest_checkpoint,
        "events_lost": report.newest_checkpoint - report.last_sequence,
    }
    event = append_event(
        _system_fields(RESTORED, reason, detail),
        checkpoint={"kind": "restored", "abandoned_after": report.last_sequence},
    )
    return Done(
        event,
        f"restored to sequence {report.last_sequence}; the {detail['events_lost']} event(s) after it in the "
        f"checkpoint log are recorded as lost; re-anchored at sequence {event.sequence}",
    )


def rotate_key(*, reason: str = "scheduled key rotation") -> Done:
    """Switch the chain to a new key: from the key file (a new key is added to it) or the newest key in
    `ICP_AUDIT_KEY` (the operator added it first). The rotation event is signed with the old key."""
    report = verify()
    _refuse_unless_intact(report)
    last = AuditEvent.objects.order_by("-sequence").first()
    keyring = load_keyring()
    current = last.key_id if last is not None and last.key_id != LEGACY_KEY_ID else ""
    if last is not None and last.action == KEY_ROTATED:
        current = str(last.detail.get("to_key", current))
    if keyring.newest_id == current or not current:
        if not current:
            raise ChainOperationRefused("the chain has no keyed event yet: there is no key to rotate from")
        new_id = add_key_to_file()
        keyring = load_keyring()
    else:
        new_id = keyring.newest_id
    if not keyring.holds(new_id):
        raise AuditKeyError(f"the new key {new_id} is not in {keyring.source}")
    event = append_event(_system_fields(KEY_ROTATED, reason, {"from_key": current, "to_key": new_id}))
    return Done(event, f"the chain now signs with key {new_id} (was {current}); keep the old key for verify")

"""Check the audit chain against its keys and its checkpoints (`icp audit verify`).

Streaming the events in sequence order, it reports:
- a sequence number skipped or repeated (events removed or inserted);
- a broken previous-hash link;
- contents that do not match their keyed hash (altered, or recomputed by someone without the key);
- a change of key not announced by a rotation event, or a legacy (unkeyed) event after keyed ones;
- an event that differs from the checkpoint written for its sequence;
- a chain that ends before the newest checkpoint (the newest events were removed);
- checkpoint lines that are malformed or whose signature does not match;
- subject rows (the people an event about several was about) that do not match the count and digest
  the event's hashed detail commits to: removed, added or changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from icp.audit import checkpoints
from icp.audit.keys import AuditKeyError, Keyring, load_keyring
from icp.audit.log import GENESIS, KEY_ROTATED, LEGACY_KEY_ID, digest, subjects_digest
from icp.audit.models import AuditEvent, AuditEventSubject


@dataclass(frozen=True)
class ChainBreak:
    """One place where the stored chain does not match what its rows or checkpoints say."""

    sequence: int | None
    problem: str


@dataclass
class Report:
    """What `verify` found: the breaks, and what it checked."""

    breaks: list[ChainBreak] = field(default_factory=list)
    events: int = 0
    legacy_events: int = 0
    last_sequence: int = 0
    last_hash: str = GENESIS
    checkpoint_lines: int = 0
    newest_checkpoint: int | None = None

    @property
    def intact(self) -> bool:
        return not self.breaks


def _events(batch_size: int, report: Report) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        if not rows:
            return
        report.breaks.extend(_check_subjects(rows))
        yield from rows
        last = rows[-1].sequence


def _check_subjects(events: list[AuditEvent]) -> Iterator[ChainBreak]:
    """Each event's subject rows against the count and digest its hashed detail commits to."""
    by_event: dict[int, list[str]] = defaultdict(list)
    rows = AuditEventSubject.objects.filter(event_id__in=[event.pk for event in events])
    for event_id, patient_ref in rows.values_list("event_id", "patient_ref"):
        by_event[event_id].append(patient_ref)
    for event in events:
        committed = event.detail.get("subjects") if isinstance(event.detail, dict) else None
        held = by_event.get(event.pk, [])
        if not committed:
            if held:
                yield ChainBreak(
                    event.sequence, f"{len(held)} subject row(s) added to an event that had none"
                )
            continue
        if len(held) != committed.get("count") or subjects_digest(held) != committed.get("digest"):
            yield ChainBreak(
                event.sequence,
                f"its subject rows ({len(held)}) do not match the {committed.get('count')} people it "
                "recorded (rows removed, added or changed)",
            )


def _check_event(event: AuditEvent, previous: AuditEvent | None, keyring: Keyring) -> Iterator[str]:
    expected_sequence = previous.sequence + 1 if previous else 1
    if event.sequence != expected_sequence:
        missing = event.sequence - expected_sequence
        yield f"sequence jumps from {expected_sequence - 1} to {event.sequence}: {missing} event(s) removed"
    if event.prev_hash != (previous.hash if previous else GENESIS):
        yield "previous-hash link broken (a row was removed or inserted)"
    if event.key_id == LEGACY_KEY_ID:
        if previous is not None and previous.key_id != LEGACY_KEY_ID:
            yield "an unkeyed (legacy) event after keyed ones: inserted behind icp's back"
    elif previous is not None and previous.key_id != LEGACY_KEY_ID and event.key_id != previous.key_id:
        announced = previous.action == KEY_ROTATED and previous.detail.get("to_key") == event.key_id
        if not announced:
            yield f"signed with key {event.key_id} although no rotation event announced it"
    try:
        if digest(event, keyring) != event.hash:
            yield "contents do not match their keyed hash (the row was altered or the chain recomputed)"
    except AuditKeyError as error:
        yield str(error)


def verify(*, batch_size: int = 5000, keyring: Keyring | None = None) -> Report:
    """Recompute the whole chain, streaming, and hold it against the checkpoint log."""
    keyring = keyring or load_keyring()
    log = checkpoints.read(keyring)
    report = Report(checkpoint_lines=log.lines)
    report.breaks.extend(ChainBreak(None, problem) for problem in log.problems)
    previous: AuditEvent | None = None
    for event in _events(batch_size, report):
        report.events += 1
        report.legacy_events += event.key_id == LEGACY_KEY_ID
        report.breaks.extend(ChainBreak(event.sequence, p) for p in _check_event(event, previous, keyring))
        expected = log.expected.get(event.sequence)
        if expected is not None and expected.hash != event.hash:
            report.breaks.append(
                ChainBreak(
                    event.sequence, f"differs from the checkpoint written for it (line {expected.line})"
                )
            )
        previous = event
    if previous is not None:
        report.last_sequence, report.last_hash = previous.sequence, previous.hash
    newest = log.newest
    if newest is not None:
        report.newest_checkpoint = newest.sequence
        if newest.sequence > report.last_sequence:
            report.breaks.append(
                ChainBreak(
                    newest.sequence,
                    f"the chain ends at sequence {report.last_sequence} but a checkpoint "
                    f"(line {newest.line}) records sequence {newest.sequence}: the newest events were "
                    "removed (after restoring a backup, run `icp audit restored`)",
                )
            )
    if previous is not None and previous.key_id == LEGACY_KEY_ID:
        report.breaks.append(
            ChainBreak(
                previous.sequence, "the legacy (unkeyed) chain is not anchored yet: run `icp audit upgrade`"
            )
        )
    return report

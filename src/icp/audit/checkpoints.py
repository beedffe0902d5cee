"""Signed checkpoints of the audit chain's head, kept outside the database.

Every process that appends events also appends, once its transaction has committed, one line to the
checkpoint log: the sequence number and hash of the newest event it wrote, signed with the audit key.
Someone who deletes the newest events from the database cannot also make the chain reach the newest
checkpoint, so `icp audit verify` notices the truncation. The log is append-only by construction (one
`O_APPEND` write a line) and is meant for storage that refuses rewrites: `chattr +a` on Linux, a
write-once (object-lock) bucket mirrored from it, or a log host; `ICP_AUDIT_CHECKPOINTS` moves it.

A line is JSON: `{"kind": "head", "sequence": N, "hash": ..., "key_id": ..., "at": ..., "pid": ...,
"signature": ...}`. After a backup is restored, `icp audit restored` writes a `"restored"` line whose
`abandoned_after` says that checkpoints written earlier beyond that sequence belong to the timeline the
restore discarded.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from icp.audit.keys import AuditKeyError, Keyring

logger = logging.getLogger(__name__)

HEAD = "head"
RESTORED = "restored"
_SIGNED_FIELDS = ("kind", "sequence", "hash", "key_id", "at", "pid", "abandoned_after")


def checkpoint_log() -> Path:
    """Where checkpoints go: `ICP_AUDIT_CHECKPOINTS` (a settings value), else the data folder."""
    return Path(settings.AUDIT_CHECKPOINT_LOG)


def _message(entry: dict[str, Any]) -> str:
    return json.dumps(
        {name: entry.get(name) for name in _SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")
    )


def append(
    keyring: Keyring,
    *,
    sequence: int,
    hash: str,
    key_id: str,
    kind: str = HEAD,
    abandoned_after: int | None = None,
) -> None:
    """Append one signed checkpoint line. A failure is logged loudly (the events are already committed)."""
    entry: dict[str, Any] = {
        "kind": kind,
        "sequence": sequence,
        "hash": hash,
        "key_id": key_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "pid": os.getpid(),
        "abandoned_after": abandoned_after,
    }
    entry["signature"] = keyring.sign(key_id, _message(entry))
    line = (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode("ascii")
    path = checkpoint_log()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One write() of a short line to an O_APPEND file: lines from several processes never interleave.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
    except OSError as error:
        logger.error("audit checkpoint not written to %s: %s (sequence %s)", path, error, sequence)


@dataclass(frozen=True)
class Checkpoint:
    line: int
    kind: str
    sequence: int
    hash: str
    abandoned_after: int | None


@dataclass
class CheckpointLog:
    """The checkpoints that still bind the chain (restores applied), and the lines that failed checks."""

    expected: dict[int, Checkpoint] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lines: int = 0

    @property
    def newest(self) -> Checkpoint | None:
        return self.expected[max(self.expected)] if self.expected else None


def _entries(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="ascii", errors="replace") as lines:
        yield from enumerate(lines, start=1)


def read(keyring: Keyring, path: Path | None = None) -> CheckpointLog:
    """Read and check every line of the checkpoint log, in the order written."""
    path = path or checkpoint_log()
    log = CheckpointLog()
    if not path.exists():
        return log
    for number, text in _entries(path):
        log.lines += 1
        if not text.strip():
            continue
        try:
            entry = json.loads(text)
            signature = str(entry["signature"])
            checkpoint = Checkpoint(
                number,
                str(entry["kind"]),
                int(entry["sequence"]),
                str(entry["hash"]),
                entry.get("abandoned_after"),
            )
            key = str(entry["key_id"])
        except (ValueError, KeyError, TypeError):
            log.problems.append(f"{path} line {number}: not a checkpoint line")
            continue
        try:
            genuine = keyring.sign(key, _message(entry)) == signature
        except AuditKeyError:
            log.problems.append(
                f"{path} line {number}: signed with audit key {key}, which this keyring lacks"
            )
            continue
        if not genuine:
            log.problems.append(
                f"{path} line {number}: signature does not match (the line was forged or altered)"
            )
            continue
        if checkpoint.kind == RESTORED and checkpoint.abandoned_after is not None:
            # A restore discards the timeline after the restored sequence: its checkpoints no longer bind.
            log.expected = {s: c for s, c in log.expected.items() if s <= int(checkpoint.abandoned_after)}
        log.expected[checkpoint.sequence] = checkpoint
    return log

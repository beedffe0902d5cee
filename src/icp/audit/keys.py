"""The audit chain's keys: never in the database, the same rule for the server and every batch command.

Each event's hash is an HMAC-SHA256 under a key the database does not hold, so someone who can write
SQL but not read the key cannot recompute the chain after deleting or changing rows. The keys come
from `ICP_AUDIT_KEY` (one or more keys separated by commas, oldest first) or else from the key file
`<data folder>/audit_key` (one key a line, oldest first), which icp creates owner-only on first use
(`icp.config.key_in_data_dir`, shared with the SECRET_KEY of batch commands).

Old keys stay in the keyring after a rotation: `icp audit verify` needs them for older events. Each
key is known by its id, a short fingerprint that is safe to store beside the events.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from icp.config import key_in_data_dir

KEY_ENV = "ICP_AUDIT_KEY"
KEY_FILE = "audit_key"
MIN_KEY_LENGTH = 32


class AuditKeyError(RuntimeError):
    """The audit keyring is unusable, or lacks a key the chain needs."""


def key_id(key: str) -> str:
    """A fingerprint of the key (not the key): stored on each event to say which key signed it."""
    return hashlib.sha256(("icp-audit-key-id:" + key).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """Every audit key this process holds, oldest first; where they came from, for messages."""

    keys: tuple[str, ...]
    source: str

    def __post_init__(self) -> None:
        if not self.keys:
            raise AuditKeyError(f"no audit key in {self.source}")
        for key in self.keys:
            if len(key) < MIN_KEY_LENGTH:
                raise AuditKeyError(
                    f"an audit key in {self.source} is {len(key)} characters; at least {MIN_KEY_LENGTH} "
                    "are needed (make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )

    @property
    def newest_id(self) -> str:
        return key_id(self.keys[-1])

    def ids(self) -> list[str]:
        return [key_id(key) for key in self.keys]

    def key(self, wanted_id: str) -> bytes:
        for key in self.keys:
            if key_id(key) == wanted_id:
                return key.encode("utf-8")
        raise AuditKeyError(
            f"audit key {wanted_id} is not in {self.source}: keep every key the chain was signed with"
        )

    def sign(self, wanted_id: str, message: str) -> str:
        return hmac.new(self.key(wanted_id), message.encode("utf-8"), hashlib.sha256).hexdigest()

    def holds(self, wanted_id: str) -> bool:
        return wanted_id in self.ids()


def key_file() -> Path:
    """The key file: in the data folder this process was configured with (read once, at settings)."""
    return Path(settings.DATA_DIR) / KEY_FILE


def load_keyring() -> Keyring:
    """The keyring of this process: `ICP_AUDIT_KEY` if set, else the data folder's key file (made now
    if missing)."""
    from_env = os.environ.get(KEY_ENV, "").strip()
    if from_env:
        return Keyring(tuple(k.strip() for k in from_env.split(",") if k.strip()), f"${KEY_ENV}")
    text = key_in_data_dir(KEY_FILE, folder=key_file().parent)
    return Keyring(tuple(line.strip() for line in text.splitlines() if line.strip()), str(key_file()))


def add_key_to_file() -> str:
    """Append a new random key to the data folder's key file; return its id. Refuses when the keys
    come from `ICP_AUDIT_KEY` (then the operator adds the new key to the variable everywhere)."""
    if os.environ.get(KEY_ENV, "").strip():
        raise AuditKeyError(
            f"the audit keys come from ${KEY_ENV}: append a new key to it (comma-separated, newest last) "
            "for every process, then run `icp audit rotate-key` again"
        )
    load_keyring()  # make sure the file exists, owner-only, before appending to it
    new_key = secrets.token_urlsafe(48)
    path = key_file()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    with os.fdopen(descriptor, "a", encoding="ascii") as out:
        out.write(new_key + "\n")
        out.flush()
        os.fsync(out.fileno())
    return key_id(new_key)

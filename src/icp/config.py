"""Where icp keeps its files, and its locally generated keys (shared by Django and the pure core).

`data_dir()` is the one place that reads ICP_DATA_DIR. `key_in_data_dir(name)` is the one way icp
keeps a secret it made itself (the Django signing key for batch commands, the audit chain's key):
a random key created on first use in a file of the data folder that only its owner may read or
write, and read back on every later use. docs/adr/0120-keys-in-the-data-folder.md says why.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

OWNER_ONLY = 0o600
KEY_BYTES = 48


class KeyFileError(RuntimeError):
    """A key file exists but cannot be used (empty, unreadable, or not a regular file)."""


def data_dir() -> Path:
    """The folder for the warehouse and the embedded database (`ICP_DATA_DIR`, default `./data`)."""
    return Path(os.environ.get("ICP_DATA_DIR", "data")).resolve()


def models_dir() -> Path:
    """The folder of saved admission-model versions (`<data folder>/models`)."""
    return data_dir() / "models"


def key_in_data_dir(name: str, *, folder: Path | None = None) -> str:
    """The key kept in `<data folder>/<name>`, made (random, owner-only) the first time it is asked for.

    Safe when several processes ask at once for a key that does not exist yet: each writes a
    complete candidate to a private temporary file and hard-links it into place, which succeeds for
    exactly one of them; the others read the winner's key. A key file that others may read is
    tightened to owner-only before use.
    """
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"key file name {name!r}: expected a plain file name such as 'secret_key'")
    folder = folder or data_dir()
    path = folder / name
    if not path.exists():
        _create(path)
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError(f"{path} is not a regular file; remove it so that icp can make a new key")
    if stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(OWNER_ONLY)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise KeyFileError(f"{path} is empty; remove it so that icp can make a new key")
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600 already: the key is never readable by others.
    handle, candidate = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
            out.flush()
            os.fsync(out.fileno())
        # When the link exists already, another process made the key first: use theirs.
        with contextlib.suppress(FileExistsError):
            os.link(candidate, path)
    finally:
        os.unlink(candidate)

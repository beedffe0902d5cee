"""The audit key never comes from the database: ICP_AUDIT_KEY, else an owner-only key file."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from icp.audit.keys import AuditKeyError, Keyring, key_id, load_keyring


def test_without_the_variable_a_key_file_is_created_owner_only_and_reused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any
) -> None:
    monkeypatch.delenv("ICP_AUDIT_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    first = load_keyring()
    path = tmp_path / "audit_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.source == str(path) and len(first.keys) == 1
    assert load_keyring() == first


def test_the_variable_wins_and_may_hold_old_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("ICP_AUDIT_KEY", "a" * 32 + ", " + "b" * 32)
    keyring = load_keyring()
    assert keyring.keys == ("a" * 32, "b" * 32)
    assert keyring.newest_id == key_id("b" * 32)
    assert not (tmp_path / "audit_key").exists()


def test_a_short_key_is_refused_with_a_way_to_make_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_AUDIT_KEY", "short")
    with pytest.raises(AuditKeyError, match="at least 32"):
        load_keyring()


def test_the_key_id_is_a_fingerprint_not_the_key() -> None:
    keyring = Keyring(("k" * 40,), "test")
    assert keyring.newest_id == key_id("k" * 40) and keyring.newest_id != "k" * 16
    with pytest.raises(AuditKeyError, match="keep every key"):
        keyring.key("0" * 16)

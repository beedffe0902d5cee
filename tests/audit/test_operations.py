"""The audited operations on the chain: anchor a legacy chain, re-anchor after a restore, rotate the key."""

from __future__ import annotations

import stat
from typing import Any

import pytest
from django.db import connection

from icp.audit import operations
from icp.audit.keys import key_file, key_id, load_keyring
from icp.audit.log import record
from icp.audit.models import AuditEvent
from icp.audit.verify import verify
from tests.audit.tampering import recompute_plain_hashes

pytestmark = pytest.mark.django_db


def _committed(capture: Any, count: int, action: str = "record.read") -> list[AuditEvent]:
    written = []
    for number in range(count):
        with capture(execute=True):
            written.append(record(action=action, patient_ref=f"p{number}", purpose="direct_care"))
    return written


def test_a_legacy_chain_fails_verify_until_it_is_anchored_then_passes() -> None:
    for number in range(5):
        record(action="record.read", patient_ref=f"p{number}")
    recompute_plain_hashes(renumber=False, drop_key=True)
    assert any("not anchored" in b.problem for b in verify().breaks)
    done = operations.anchor_legacy_chain()
    assert done.event is not None and done.event.action == "audit.chain_anchored"
    assert done.event.detail["legacy_events"] == done.event.sequence - 1
    assert verify().intact
    assert operations.anchor_legacy_chain().event is None  # safe to repeat


def test_anchoring_refuses_a_legacy_chain_that_was_already_tampered_with() -> None:
    events = [record(action="record.read", patient_ref=f"p{number}") for number in range(5)]
    recompute_plain_hashes(renumber=False, drop_key=True)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    with pytest.raises(operations.ChainOperationRefused, match="does not verify"):
        operations.anchor_legacy_chain()


def test_restoring_a_backup_is_re_anchored_by_an_audited_restored_event(
    django_capture_on_commit_callbacks: Any,
) -> None:
    events = _committed(django_capture_on_commit_callbacks, 20)
    backup_point = events[11]
    # What restoring last night's backup looks like: the chain ends where the backup was taken.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence > %s", [backup_point.sequence])
    assert not verify().intact
    with django_capture_on_commit_callbacks(execute=True):
        done = operations.reanchor_after_restore(reason="disk failure; restored the 02:00 backup")
    assert done.event is not None and done.event.action == "audit.restored"
    assert done.event.detail == {
        "restored_to_sequence": backup_point.sequence,
        "newest_checkpoint_before_restore": events[-1].sequence,
        "events_lost": 8,
    }
    assert verify().intact
    _committed(django_capture_on_commit_callbacks, 3)  # the new timeline goes on
    report = verify()
    assert report.intact and report.newest_checkpoint == report.last_sequence


def test_a_restore_cannot_bless_a_rewritten_chain(django_capture_on_commit_callbacks: Any) -> None:
    events = _committed(django_capture_on_commit_callbacks, 5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'edited' WHERE id = %s", [events[1].pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    with pytest.raises(operations.ChainOperationRefused, match="altered"):
        operations.reanchor_after_restore(reason="restore")


def test_rotating_the_key_file_adds_a_key_and_the_chain_verifies_across_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = _committed(django_capture_on_commit_callbacks, 3)
    with django_capture_on_commit_callbacks(execute=True):
        done = operations.rotate_key(reason="annual rotation")
    after = _committed(django_capture_on_commit_callbacks, 3)
    keyring = load_keyring()
    assert done.event is not None and done.event.key_id == before[-1].key_id  # signed with the old key
    assert done.event.detail == {"from_key": before[-1].key_id, "to_key": keyring.newest_id}
    assert {event.key_id for event in after} == {keyring.newest_id} != {before[-1].key_id}
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600
    assert verify().intact


def test_with_keys_in_the_environment_the_operator_adds_the_new_key_then_rotates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = record(action="record.read")
    old_keys = load_keyring().key(first.key_id).decode()  # the key the chain signs with now
    monkeypatch.setenv("ICP_AUDIT_KEY", old_keys)
    with pytest.raises(Exception, match="append a new key"):
        operations.rotate_key()
    new_key = "n" * 40
    monkeypatch.setenv("ICP_AUDIT_KEY", f"{old_keys},{new_key}")
    # Until the rotation is recorded, the chain goes on signing with its current key.
    assert record(action="record.read").key_id == first.key_id
    operations.rotate_key()
    assert record(action="record.read").key_id == key_id(new_key)
    assert verify().intact
    monkeypatch.setenv("ICP_AUDIT_KEY", new_key)  # an operator who dropped the old key
    assert any("keep every key" in b.problem for b in verify().breaks)


def test_a_key_switch_without_a_rotation_event_is_a_break(monkeypatch: pytest.MonkeyPatch) -> None:
    record(action="record.read")
    other = "o" * 40
    monkeypatch.setenv("ICP_AUDIT_KEY", ",".join((*load_keyring().keys, other)))
    event = record(action="record.read")
    with connection.cursor() as cursor:  # someone holding a second key tries to continue the chain
        cursor.execute("UPDATE audit_auditevent SET key_id = %s WHERE id = %s", [key_id(other), event.pk])
    assert any("no rotation event announced it" in b.problem for b in verify().breaks)

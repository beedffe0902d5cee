"""`verify` fails on what an attacker with write access to the database (but not the key) can do.

The attacks are the ones a security review carried out on the demo: delete events and recompute
every later hash in SQL; delete the newest events. Each runs against the real database.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection

from icp.audit.log import record
from icp.audit.models import AuditEvent
from icp.audit.verify import verify
from tests.audit.tampering import delete_events, recompute_plain_hashes

pytestmark = pytest.mark.django_db

EVENTS = 80


@pytest.fixture
def chain(django_capture_on_commit_callbacks: Any) -> list[AuditEvent]:
    """80 events, each committed on its own, so the checkpoint log holds the head after each."""
    written = []
    for number in range(EVENTS):
        with django_capture_on_commit_callbacks(execute=True):
            written.append(record(action="record.read", patient_ref=f"p{number}", purpose="direct_care"))
    return written


def test_an_untouched_chain_verifies_and_reaches_the_newest_checkpoint(chain: list[AuditEvent]) -> None:
    report = verify()
    assert report.intact, report.breaks
    assert report.last_sequence == chain[-1].sequence == report.events
    assert report.newest_checkpoint == chain[-1].sequence


def test_verify_streams_in_batches(chain: list[AuditEvent]) -> None:
    assert verify(batch_size=7).intact


def test_a_row_altered_in_sql_is_detected(chain: list[AuditEvent]) -> None:
    target = chain[20]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET patient_ref = %s WHERE id = %s", ["someone-else", target.pk]
        )
    breaks = verify().breaks
    assert [b.sequence for b in breaks] == [target.sequence]
    assert "altered" in breaks[0].problem


def test_deleting_three_events_and_recomputing_every_plain_hash_is_detected(chain: list[AuditEvent]) -> None:
    delete_events(chain[10].pk, chain[11].pk, chain[12].pk)
    recompute_plain_hashes(renumber=False)
    breaks = verify().breaks
    jump = f"sequence jumps from {chain[9].sequence} to {chain[13].sequence}: 3 event(s) removed"
    assert any(jump in b.problem for b in breaks)
    assert all(b.sequence and b.sequence >= 1 for b in breaks)
    assert any("keyed hash" in b.problem for b in breaks)


def test_renumbering_the_sequence_too_is_still_detected(chain: list[AuditEvent]) -> None:
    delete_events(chain[10].pk, chain[11].pk, chain[12].pk)
    recompute_plain_hashes(renumber=True)
    report = verify()
    assert not report.intact
    assert any("keyed hash" in b.problem for b in report.breaks)
    assert any("newest events were removed" in b.problem for b in report.breaks)


def test_passing_the_chain_off_as_legacy_plain_sha256_is_detected(chain: list[AuditEvent]) -> None:
    delete_events(chain[10].pk, chain[11].pk, chain[12].pk)
    recompute_plain_hashes(renumber=True, drop_key=True)
    problems = [b.problem for b in verify().breaks]
    assert any("not anchored" in problem for problem in problems)
    assert any("differs from the checkpoint" in problem for problem in problems)


def test_deleting_the_newest_fifty_events_is_detected(chain: list[AuditEvent]) -> None:
    delete_events(*(event.pk for event in chain[-50:]))
    report = verify()
    newest, remaining = chain[-1].sequence, chain[-51].sequence
    assert report.last_sequence == remaining
    assert [b.problem for b in report.breaks] == [
        f"the chain ends at sequence {remaining} but a checkpoint (line {EVENTS}) records sequence "
        f"{newest}: the newest events were removed (after restoring a backup, run `icp audit restored`)"
    ]


def test_an_event_inserted_with_a_guessed_key_is_detected(chain: list[AuditEvent]) -> None:
    last = chain[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (sequence, occurred_at, actor_username, actor_organisation, "
            "actor_role, action, target_type, target_id, patient_ref, purpose, outcome, reason, detail, "
            "key_id, prev_hash, hash) VALUES (%s, %s, '', '', '', 'record.read', '', '', 'p', '', "
            "'success', '', '{}', %s, %s, %s)",
            [last.sequence + 1, last.occurred_at, last.key_id, last.hash, "f" * 64],
        )
    breaks = verify().breaks
    assert [b.sequence for b in breaks] == [last.sequence + 1]
    assert "keyed hash" in breaks[0].problem


def test_a_forged_checkpoint_line_is_reported(chain: list[AuditEvent], audit_checkpoint_log: Any) -> None:
    with audit_checkpoint_log.open("a") as log:
        log.write(
            json.dumps(
                {
                    "kind": "head",
                    "sequence": 999,
                    "hash": "0" * 64,
                    "key_id": chain[0].key_id,
                    "at": "2026-01-01T00:00:00+00:00",
                    "pid": 1,
                    "abandoned_after": None,
                    "signature": "0" * 64,
                }
            )
            + "\n"
        )
        log.write("not json\n")
    problems = [b.problem for b in verify().breaks]
    assert len(problems) == 2
    assert "forged or altered" in problems[0] and "not a checkpoint line" in problems[1]

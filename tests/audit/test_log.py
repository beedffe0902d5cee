"""The audit trail is append-only, numbered and hash-chained under a key the database does not hold."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from icp.audit import checkpoints
from icp.audit.events import EventType
from icp.audit.keys import load_keyring
from icp.audit.log import GENESIS, _canonical, deny, record
from icp.audit.models import AppendOnlyError, AuditEvent
from icp.partnership.models import User
from icp.partnership.roles import UserRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(make_user: Callable[..., User]) -> list[AuditEvent]:
    user = make_user(UserRole.GP)
    return [
        record(action=EventType.RECORD_READ, actor=user, patient_ref=f"p{i}", purpose="direct_care")
        for i in range(5)
    ]


def test_each_event_has_the_next_sequence_number_and_links_to_the_previous_one(
    events: list[AuditEvent],
) -> None:
    chain = list(AuditEvent.objects.order_by("sequence"))
    # The test database starts with the events of loading the reference structure.
    assert [event.sequence for event in chain] == list(range(1, len(chain) + 1))
    assert [event.sequence for event in chain[-5:]] == [event.sequence for event in events]
    assert chain[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chain))


def test_the_hash_is_an_hmac_under_the_audit_key_not_a_plain_sha256(events: list[AuditEvent]) -> None:
    event = events[1]
    keyring = load_keyring()
    message = (event.prev_hash + _canonical(event, keyed=True)).encode()
    # The key that signed it is in the keyring (another test on this worker may have rotated since).
    assert event.hash == hmac.new(keyring.key(event.key_id), message, hashlib.sha256).hexdigest()
    assert event.hash != hashlib.sha256(message).hexdigest()


def test_the_actor_is_copied_not_referenced(events: list[AuditEvent]) -> None:
    event = events[0]
    assert event.actor_role == "gp" and event.actor_username.startswith("gp-")


def test_events_cannot_be_changed_or_deleted_through_the_orm(events: list[AuditEvent]) -> None:
    event = events[0]
    event.reason = "edited"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="edited")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_a_committed_transaction_appends_one_signed_checkpoint_of_its_newest_event(
    django_capture_on_commit_callbacks: Any, audit_checkpoint_log: Path
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record(action=EventType.RECORD_READ)
        newest = record(action=EventType.RECORD_ACCESS)
    log = checkpoints.read(load_keyring())
    assert log.lines == 1 and log.problems == []
    assert log.newest is not None
    assert (log.newest.sequence, log.newest.hash) == (newest.sequence, newest.hash)


def test_a_rolled_back_transaction_leaves_no_checkpoint(
    django_capture_on_commit_callbacks: Any, audit_checkpoint_log: Path
) -> None:
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        record(action=EventType.RECORD_READ)
        raise RuntimeError("the action failed after recording its event")
    assert not audit_checkpoint_log.exists()


def test_text_fields_are_bounded_and_stripped_of_control_characters() -> None:
    event = record(
        action="record.read",
        target_id="x" * 500,
        patient_ref="p1\r\n=cmd",
        reason="r" * 100_000,
        detail={"filters": {"name": "n" * 10_000}, "many": list(range(5000))},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert len(stored.target_id) == 64 and stored.target_id.endswith("…")
    assert stored.patient_ref == "p1  =cmd"
    assert len(stored.reason) == 2000
    assert len(stored.detail["filters"]["name"]) == 500
    assert len(stored.detail["many"]) == 200


def test_an_unknown_purpose_is_stored_as_unrecognised_with_the_value_given_bounded() -> None:
    event = record(action=EventType.RECORD_READ, purpose='=HYPERLINK("http://x")' + "p" * 1000)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.purpose == "unrecognised"
    assert stored.detail["purpose_given"].startswith("=HYPERLINK")
    assert len(stored.detail["purpose_given"]) == 64
    assert record(action=EventType.RECORD_READ, purpose="direct_care").purpose == "direct_care"


def test_deny_records_the_refusal_and_returns_what_to_raise(make_user: Callable[..., User]) -> None:
    user = make_user(UserRole.GP)
    refusal = deny(
        action=EventType.AUDIT_VIEW,
        by=user,
        reason="not an IG lead",
        message="Only an information-governance lead can see the audit trail.",
        detail={"icp": "NI-NOR-CA"},
    )
    assert isinstance(refusal, PermissionDenied)
    assert str(refusal) == "Only an information-governance lead can see the audit trail."
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.outcome, event.reason) == ("audit.view", "denied", "not an IG lead")
    assert event.actor_username == user.username and event.detail == {"icp": "NI-NOR-CA"}


def test_deny_tells_the_person_the_reason_when_there_is_no_separate_message(
    make_user: Callable[..., User],
) -> None:
    refusal = deny(
        action=EventType.BREAK_GLASS_START, by=make_user(UserRole.ANALYST), reason="Clinicians only."
    )
    assert str(refusal) == "Clinicians only."


def test_events_appended_together_chain_exactly_as_one_by_one_in_one_insert(
    make_user: Callable[..., User], django_assert_max_num_queries: Any
) -> None:
    from icp.audit.log import record_many
    from icp.audit.verify import verify

    user = make_user(UserRole.GP)
    first = record(action=EventType.RECORD_READ, actor=user, patient_ref="p0", purpose="direct_care")
    page = [
        {"action": EventType.RECORD_READ, "actor": user, "patient_ref": "p1", "detail": {"category": c}}
        for c in ("conditions", "medications", "observations", "encounters")
    ]
    # One look at the head and one INSERT (plus the transaction and PostgreSQL's lock), not four each.
    with django_assert_max_num_queries(5):
        appended = record_many(page)
    assert [e.sequence for e in appended] == [first.sequence + n for n in (1, 2, 3, 4)]
    assert appended[0].prev_hash == first.hash
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(appended))
    assert [e.detail["category"] for e in AuditEvent.objects.filter(sequence__gt=first.sequence)] == [
        "conditions",
        "medications",
        "observations",
        "encounters",
    ]
    assert verify().intact

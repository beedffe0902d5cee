"""The audit trail is append-only and hash-chained: tampering in the database is detected."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from icp.audit.events import EventType
from icp.audit.log import GENESIS, deny, record, verify
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


def test_each_event_links_to_the_one_before(events: list[AuditEvent]) -> None:
    chain = list(AuditEvent.objects.order_by("id"))
    assert chain[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chain))
    assert list(verify()) == []


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


def test_a_row_altered_in_sql_is_detected(events: list[AuditEvent]) -> None:
    target = events[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET patient_ref = %s WHERE id = %s", ["someone-else", target.pk]
        )
    breaks = list(verify())
    assert [b.event_id for b in breaks] == [target.pk]
    assert "altered" in breaks[0].problem


def test_a_row_deleted_in_sql_is_detected(events: list[AuditEvent]) -> None:
    target = events[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    breaks = list(verify())
    assert [b.event_id for b in breaks] == [events[3].pk]
    assert "removed or inserted" in breaks[0].problem


def test_verify_streams_in_batches(events: list[AuditEvent]) -> None:
    assert list(verify(batch_size=2)) == []


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
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.outcome, event.reason) == ("audit.view", "denied", "not an IG lead")
    assert event.actor_username == user.username and event.detail == {"icp": "NI-NOR-CA"}
    assert list(verify()) == []


def test_deny_tells_the_person_the_reason_when_there_is_no_separate_message(
    make_user: Callable[..., User],
) -> None:
    refusal = deny(
        action=EventType.BREAK_GLASS_START, by=make_user(UserRole.ANALYST), reason="Clinicians only."
    )
    assert str(refusal) == "Clinicians only."

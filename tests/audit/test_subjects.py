"""An event about several people at once keeps one subject row per person, committed to by the
event's keyed hash: a person's log finds it, and rows removed, added or changed fail `verify`."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from icp.audit.events import EventType
from icp.audit.log import record, subjects_digest
from icp.audit.models import AppendOnlyError, AuditEvent, AuditEventSubject
from icp.audit.verify import verify

pytestmark = pytest.mark.django_db
PEOPLE = [f"pt-{n:04d}" for n in range(450)]  # more than a detail list keeps (200)


@pytest.fixture
def export(django_capture_on_commit_callbacks: Any) -> AuditEvent:
    with django_capture_on_commit_callbacks(execute=True):
        record(action=EventType.RECORD_READ, patient_ref="pt-before")
        event = record(action=EventType.WORKLIST_EXPORT, detail={"rows": len(PEOPLE)}, subjects=PEOPLE)
        record(action=EventType.RECORD_READ, patient_ref="pt-after")
    return event


def test_every_person_gets_a_row_and_the_event_commits_to_them(export: AuditEvent) -> None:
    rows = AuditEventSubject.objects.filter(event=export)
    assert sorted(rows.values_list("patient_ref", flat=True)) == PEOPLE
    assert export.detail["subjects"] == {"count": 450, "digest": subjects_digest(PEOPLE)}
    assert verify().intact


def test_each_persons_log_finds_the_event_and_only_theirs(export: AuditEvent) -> None:
    assert list(AuditEvent.objects.about("pt-0449")) == [export]
    assert [e.action for e in AuditEvent.objects.about("pt-before")] == ["record.read"]
    assert not AuditEvent.objects.about("pt-9999").exists()


def test_subject_rows_cannot_be_changed_or_deleted_through_icp(export: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEventSubject.objects.filter(event=export).delete()
    with pytest.raises(AppendOnlyError):
        AuditEventSubject.objects.filter(event=export).update(patient_ref="someone")


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("DELETE FROM audit_auditeventsubject WHERE patient_ref = %s", ["pt-0007"]),
        (
            "UPDATE audit_auditeventsubject SET patient_ref = %s WHERE patient_ref = %s",
            ["pt-9999", "pt-0007"],
        ),
    ],
    ids=["a person removed", "a person swapped"],
)
def test_a_subject_row_removed_or_changed_in_sql_fails_verify(
    export: AuditEvent, sql: str, params: list[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    breaks = verify().breaks
    assert [b.sequence for b in breaks] == [export.sequence]
    assert "do not match the 450 people" in breaks[0].problem


def test_a_subject_row_added_to_another_event_fails_verify(export: AuditEvent) -> None:
    other = AuditEvent.objects.get(patient_ref="pt-after")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditeventsubject (event_id, patient_ref) VALUES (%s, %s)",
            [other.pk, "pt-framed"],
        )
    breaks = verify().breaks
    assert [b.sequence for b in breaks] == [other.sequence] and "added" in breaks[0].problem

"""`icp audit verify`: passes on an intact chain, fails naming the event after a hand edit."""

from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner

from icp.audit.events import EventType
from icp.audit.log import record
from icp.cli import app

runner = CliRunner()


@pytest.mark.django_db
def test_audit_verify_passes_then_fails_after_a_hand_edit() -> None:
    event = record(action=EventType.REFERENCE_LOAD)
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"sequence {event.sequence}" in result.output

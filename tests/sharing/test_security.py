"""Security around the record: login throttling, session expiry, password rules, a tamper-evident trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from icp.audit.models import AuditEvent
from icp.cli import app
from icp.sharing.models import LoginFailure
from icp.sharing.policy import decide
from icp.sharing.vocabulary import DataCategory, Purpose
from tests.sharing.conftest import World

LOGIN = "/accounts/login/"
GOOD = "correct-horse-battery"


def attempt(client: Client, username: str, password: str) -> str:
    response = client.post(LOGIN, {"username": username, "password": password})
    return "ok" if response.status_code == 302 else response.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(client: Client, world: World) -> None:
    for _ in range(5):
        assert "correct username and password" in attempt(client, "gp", "wrong-password")
    page = attempt(client, "gp", GOOD)
    assert "Too many failed attempts" in page
    assert AuditEvent.objects.filter(action="login.failed").count() == 5
    assert AuditEvent.objects.filter(action="login.locked", outcome="denied").exists()
    # Another account is not locked by someone else's failures.
    assert attempt(Client(), "pharmacist", GOOD) == "ok"


def test_the_lock_lifts_after_the_window_and_success_clears_failures(client: Client, world: World) -> None:
    for _ in range(5):
        attempt(client, "gp", "wrong-password")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "gp", GOOD) == "ok"
    assert not LoginFailure.objects.filter(username="gp").exists()


def test_many_failures_from_one_address_lock_the_address(client: Client, world: World) -> None:
    for n in range(20):
        attempt(client, f"nobody-{n}", "wrong-password")
    assert "Too many failed attempts" in attempt(client, "gp", GOOD)


def test_sessions_expire_after_eight_hours_and_at_browser_close(client: Client, world: World) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert attempt(client, "analyst", GOOD) == "ok"  # a role that signs in with a password alone
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["httponly"]  # a browser-session cookie, not readable by scripts
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(hours=8, seconds=5)
    assert client.get("/sharing/patients/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/sharing/patients/").status_code == 302  # back to the login page


@pytest.mark.parametrize("password", ["short", "password123", "1234567890123", "qwertyuiop"])
def test_weak_passwords_are_refused(world: World, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, world.users["gp"])


def test_a_strong_password_is_accepted(world: World) -> None:
    validate_password("violet-harbour-lantern-42", world.users["gp"])


def test_a_denial_turned_into_an_allowance_by_hand_is_detected(shared_world: World) -> None:
    decide(
        shared_world.users["pharmacist"],
        shared_world.patients["alice"],
        Purpose.DIRECT_CARE,
        DataCategory.MEDICATIONS,
    )
    denial = AuditEvent.objects.filter(actor_username="pharmacist", outcome="denied").get()
    runner = CliRunner()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET outcome = 'allowed' WHERE id = %s", [denial.pk])
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and f"sequence {denial.sequence}" in result.output

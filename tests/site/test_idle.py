"""Sessions end after a period without requests, and at their time limit however busy."""

from __future__ import annotations

import time

from django.test import Client

from icp.audit.models import AuditEvent
from icp.partnership.models import User
from icp.partnership.roles import UserRole
from icp.site.idle import LAST_SEEN, SIGNED_IN


def _age(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_a_session_left_idle_past_the_limit_ends_at_the_next_request(
    client: Client, make_user, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ICP_SESSION_IDLE_MINUTES = 30
    user: User = make_user(UserRole.ANALYST)
    client.force_login(user)
    assert client.get("/").status_code == 302  # home → the user's ICP page
    _age(client, **{LAST_SEEN: 29 * 60})
    assert client.get("/api/committees").status_code == 200  # still within the limit
    _age(client, **{LAST_SEEN: 31 * 60})
    response = client.get("/governance/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/login/?next=/governance/"
    )
    assert client.get("/api/committees").status_code == 401  # logged out for good
    event = AuditEvent.objects.get(action="session.idle_end")
    assert event.actor_username == user.username and event.detail["idle_minutes"] == 31
    login_page = client.get(response["Location"]).content.decode()
    assert "logged out because the session was left unused" in login_page


def test_an_idle_api_session_gets_401_not_a_redirect(client: Client, make_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ICP_SESSION_IDLE_MINUTES = 5
    client.force_login(make_user(UserRole.ANALYST))
    client.get("/api/committees")
    _age(client, **{LAST_SEEN: 6 * 60})
    assert client.get("/api/committees").status_code == 401


def test_a_busy_session_still_ends_at_its_time_limit(client: Client, make_user, settings) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(UserRole.ANALYST))
    client.get("/api/committees")
    _age(client, **{LAST_SEEN: 10, SIGNED_IN: settings.SESSION_COOKIE_AGE + 60})
    assert client.get("/api/committees").status_code == 401
    assert AuditEvent.objects.filter(action="session.idle_end").count() == 1


def test_the_idle_limit_comes_from_the_environment() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ICP_SESSION_IDLE_MINUTES": "12", "DJANGO_SETTINGS_MODULE": "icp.site.settings"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.ICP_SESSION_IDLE_MINUTES)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "12"

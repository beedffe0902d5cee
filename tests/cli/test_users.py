"""`icp createuser` and `icp token create`: logins and tokens through the audited actions."""

from __future__ import annotations

import pytest
from django.test import Client
from typer.testing import CliRunner

from icp.audit.models import AuditEvent
from icp.cli import app
from icp.partnership.models import ApiToken, User
from icp.partnership.roles import UserRole

runner = CliRunner()
PASSPHRASE = "a-sound-passphrase-26"


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ICP_PASSWORD", PASSPHRASE)
    return PASSPHRASE


@pytest.mark.django_db
def test_createuser_makes_a_login_with_a_valid_password_and_audits_it(password: str) -> None:
    result = runner.invoke(
        app, ["createuser", "jo", "--role", "icp_manager", "--icp", "NI-NOR-CA", "--token"]
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="jo")
    assert user.role == "icp_manager" and user.home_area is not None and user.home_area.code == "NI-NOR-CA"
    assert user.check_password(password)
    assert "API token (shown once)" in result.output
    created = AuditEvent.objects.get(action="user.create")
    assert created.target_id == str(user.pk) and created.detail["role"] == "icp_manager"
    assert password not in str(created.detail)
    assert (
        AuditEvent.objects.filter(action="api_token.issue", target_type="partnership.apitoken").count() == 1
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["createuser", "jo", "--role", "wizard"], "is not a role"),
        (["createuser", "jo", "--icp", "NOWHERE"], "no such area"),
        (["createuser", "jo", "--organisation", "NOWHERE"], "no such organisation"),
    ],
)
def test_createuser_refuses_bad_arguments_with_exit_2(
    password: str, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2 and message in result.output
    assert not User.objects.filter(username="jo").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()


@pytest.mark.django_db
def test_createuser_refuses_a_second_user_of_the_same_name(password: str) -> None:
    assert runner.invoke(app, ["createuser", "jo"]).exit_code == 0
    again = runner.invoke(app, ["createuser", "jo"])
    assert again.exit_code == 2 and "already exists" in again.output


@pytest.mark.django_db
def test_createuser_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_PASSWORD", "password")
    result = runner.invoke(app, ["createuser", "jo"])
    assert result.exit_code == 2 and "Password refused" in result.output
    assert not User.objects.filter(username="jo").exists()


def test_createuser_help_lists_every_role() -> None:
    result = runner.invoke(app, ["createuser", "--help"], env={"COLUMNS": "300"})
    help_text = " ".join(result.output.split())
    for role in UserRole:
        assert role.value in help_text


@pytest.mark.django_db
def test_an_icp_manager_created_on_the_command_line_can_use_the_admin(password: str) -> None:
    result = runner.invoke(app, ["createuser", "mo", "--role", "icp_manager", "--icp", "NI-NOR-CA"])
    assert result.exit_code == 0
    user = User.objects.get(username="mo")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("partnership.change_membership")


@pytest.mark.django_db
def test_token_create_prints_a_working_token_alone_on_the_last_line_and_audits_it(
    password: str, client: Client
) -> None:
    assert runner.invoke(app, ["createuser", "jo", "--role", "analyst", "--icp", "NI-NOR-CA"]).exit_code == 0
    result = runner.invoke(app, ["token", "create", "jo", "--name", "reporting"], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    key = result.output.rstrip("\n").splitlines()[-1]
    assert key.strip() == key and " " not in key and len(key) >= 40
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    assert token.user.username == "jo" and token.name == "reporting"
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.target_id == str(token.pk) and key not in str(event.detail)
    assert client.get("/api/committees", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert client.get("/api/committees", HTTP_AUTHORIZATION=f"Bearer {key}x").status_code == 401


@pytest.mark.django_db
def test_token_create_for_an_unknown_user_exits_2_and_issues_nothing() -> None:
    result = runner.invoke(app, ["token", "create", "nobody"])
    assert result.exit_code == 2 and "No user called 'nobody'" in result.output
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_create_with_expires_in_days_or_a_date(password: str) -> None:
    assert runner.invoke(app, ["createuser", "jo", "--role", "analyst", "--icp", "NI-NOR-CA"]).exit_code == 0
    assert runner.invoke(app, ["token", "create", "jo", "--expires", "7d"]).exit_code == 0
    assert runner.invoke(app, ["token", "create", "jo", "--expires", "2099-01-01"]).exit_code == 2
    result = runner.invoke(app, ["token", "create", "jo", "--expires", "next week"])
    assert result.exit_code == 2 and "neither a number of days" in result.output
    from datetime import timedelta

    from django.utils import timezone

    (token,) = ApiToken.objects.all()
    assert timedelta(days=6, hours=23) < token.expires - timezone.now() <= timedelta(days=7)


@pytest.mark.django_db
def test_token_list_shows_each_token_and_its_state_but_never_a_key(password: str) -> None:
    assert runner.invoke(app, ["createuser", "jo", "--role", "analyst", "--icp", "NI-NOR-CA"]).exit_code == 0
    keys = [
        runner.invoke(app, ["token", "create", "jo", "--name", name]).output.rstrip().splitlines()[-1]
        for name in ("reporting", "laptop")
    ]
    laptop = ApiToken.objects.get(name="laptop")
    assert runner.invoke(app, ["token", "revoke", "jo", str(laptop.pk)]).exit_code == 0
    result = runner.invoke(app, ["token", "list", "jo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "reporting" in result.output and "active" in result.output and "revoked" in result.output
    assert not any(key in result.output for key in keys)
    assert AuditEvent.objects.filter(action="api_token.list").count() == 1


@pytest.mark.django_db
def test_token_revoke_stops_the_token_at_once(password: str, client: Client) -> None:
    assert runner.invoke(app, ["createuser", "jo", "--role", "analyst", "--icp", "NI-NOR-CA"]).exit_code == 0
    key = runner.invoke(app, ["token", "create", "jo"]).output.rstrip().splitlines()[-1]
    assert client.get("/api/committees", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    result = runner.invoke(app, ["token", "revoke", "jo", "--all"])
    assert result.exit_code == 0 and "Revoked 1 token of jo" in result.output
    assert client.get("/api/committees", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.django_db
def test_token_revoke_of_another_users_token_number_is_refused(password: str) -> None:
    for name in ("jo", "mo"):
        assert runner.invoke(app, ["createuser", name, "--role", "analyst"]).exit_code == 0
    assert runner.invoke(app, ["token", "create", "mo"]).exit_code == 0
    mos = ApiToken.objects.get(user__username="mo")
    result = runner.invoke(app, ["token", "revoke", "jo", str(mos.pk)])
    assert result.exit_code == 2 and "jo has no token number" in result.output
    assert ApiToken.objects.get().revoked is None
    assert runner.invoke(app, ["token", "revoke", "jo"]).exit_code == 2

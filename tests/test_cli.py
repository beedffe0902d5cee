"""The `icp` command: every command has help with an example; the foundation commands work."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner

from icp.audit.log import record
from icp.cli import app
from icp.partnership.models import User

runner = CliRunner()


def command_names() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    names: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            names.extend([name, child] for child in sub)
        else:
            names.append([name])
    return names


def test_icp_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("migrate", "load-structure", "createuser", "serve", "check", "demo", "audit"):
        assert command in result.output


@pytest.mark.parametrize("command", command_names(), ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


@pytest.mark.django_db
def test_check_reports_a_healthy_database() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "healthy" in result.output
    assert "committed batches" in result.output


@pytest.mark.django_db
def test_check_fails_on_a_corrupt_warehouse_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "_manifest.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "warehouse manifest unreadable" in result.output


@pytest.mark.django_db
def test_createuser_makes_a_login_with_a_valid_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_PASSWORD", "a-sound-passphrase-26")
    result = runner.invoke(
        app, ["createuser", "jo", "--role", "icp_manager", "--icp", "NI-NOR-CA", "--token"]
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="jo")
    assert user.role == "icp_manager" and user.home_area is not None and user.home_area.code == "NI-NOR-CA"
    assert user.check_password("a-sound-passphrase-26")
    assert "API token (shown once)" in result.output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["createuser", "jo", "--role", "wizard"], "is not a role"),
        (["createuser", "jo", "--icp", "NOWHERE"], "no such area"),
    ],
)
def test_createuser_refuses_bad_arguments_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, arguments: list[str], message: str
) -> None:
    monkeypatch.setenv("ICP_PASSWORD", "a-sound-passphrase-26")
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.django_db
def test_createuser_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_PASSWORD", "password")
    result = runner.invoke(app, ["createuser", "jo"])
    assert result.exit_code == 2 and "Password refused" in result.output
    assert not User.objects.filter(username="jo").exists()


@pytest.mark.django_db
def test_audit_verify_passes_then_fails_after_a_hand_edit() -> None:
    event = record(action="test.event")
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"sequence {event.sequence}" in result.output


@pytest.mark.django_db
def test_an_icp_manager_created_on_the_command_line_can_use_the_admin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ICP_PASSWORD", "a-sound-passphrase-26")
    assert (
        runner.invoke(app, ["createuser", "mo", "--role", "icp_manager", "--icp", "NI-NOR-CA"]).exit_code == 0
    )
    user = User.objects.get(username="mo")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("partnership.change_membership")

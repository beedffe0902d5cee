"""`icp demo`: the logins' password must pass the site's validators; a refused one stops the demo
with the reason and exit 2, and no login is made. (The whole demo runs in tests/e2e and tests/demo/.)"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from icp.cli import app
from icp.partnership.models import User

runner = CliRunner()


@pytest.mark.django_db
def test_a_password_the_validators_refuse_stops_the_demo_and_makes_no_login(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ICP_DEMO_PASSWORD", "12345")
    result = runner.invoke(app, ["demo", "--no-serve"], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "The demo was not finished" in result.output and "too short" in result.output
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_the_help_names_the_password_variable() -> None:
    result = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "ICP_DEMO_PASSWORD" in result.output

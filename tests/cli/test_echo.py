"""`icp echo import` and `icp echo totals` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from icp.cli import app
from icp.governance.models import EchoAggregate

runner = CliRunner()


@pytest.mark.django_db
def test_import_the_seed_table_then_print_its_totals() -> None:
    result = runner.invoke(app, ["echo", "import", "--seed"])
    assert result.exit_code == 0, result.output
    assert "21 rows loaded" in result.output and "250 sessions" in result.output and "7,378" in result.output
    totals = runner.invoke(app, ["echo", "totals"])
    assert totals.exit_code == 0 and "7,378" in totals.output


@pytest.mark.django_db
def test_a_bad_file_lists_each_problem_by_line_and_loads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "echo.csv"
    path.write_text(
        "network,period_start,period_end,sessions,participants\n"
        "Fine,2021-01-01,2021-02-01,3,30\n"
        "Broken,2021-01-01,2021-02-01,three,30\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["echo", "import", str(path)])
    assert result.exit_code == 1
    assert "line 3, sessions: expected a whole number" in result.output
    assert "nothing was loaded" in result.output
    assert EchoAggregate.objects.count() == 0


def test_import_needs_a_file_or_seed() -> None:
    assert runner.invoke(app, ["echo", "import"]).exit_code == 2


def test_help_gives_an_example() -> None:
    result = runner.invoke(app, ["echo", "import", "--help"])
    assert result.exit_code == 0 and "Example" in result.output

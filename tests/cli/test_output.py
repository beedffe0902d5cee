"""What the command modules share: refusing with a status, and the patient index sync line."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from icp.cli.output import print_index_sync, refuse
from icp.patients.sync import SyncSummary

runner = CliRunner()


def test_refuse_prints_the_reason_and_exits_with_2_by_default() -> None:
    app = typer.Typer()

    @app.command()
    def check(code: int = 2) -> None:
        refuse("--area 'NOWHERE' is not an ICP code", code=code)

    result = runner.invoke(app, [])
    assert result.exit_code == 2 and "--area 'NOWHERE' is not an ICP code" in result.output
    assert runner.invoke(app, ["--code", "1"]).exit_code == 1


@pytest.mark.parametrize(
    ("kept", "line"),
    [
        (0, "Patient index: 1,200 upserted, 3 removed."),
        (2, "Patient index: 1,200 upserted, 3 removed, 2 kept (still referenced)."),
    ],
)
def test_the_index_sync_line_names_what_was_kept(
    kept: int, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    print_index_sync(
        SyncSummary(areas=["NI-NOR-CA"], upserted=1200, removed=3, kept_referenced=kept, unknown_practices=0)
    )
    assert capsys.readouterr().out.strip() == line

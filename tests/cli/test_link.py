"""`icp link` from the command line: persons, links by rule, pairs waiting; help; bad arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from icp.audit.models import AuditEvent
from icp.cli import app
from icp.patients.models import LinkReview
from icp.records.linkage.synthetic import linkage_set
from icp.records.warehouse import Warehouse

runner = CliRunner()


@pytest.mark.django_db
def test_link_prints_persons_links_by_rule_and_pairs_waiting(data_dir: Path) -> None:
    with Warehouse(data_dir / "warehouse").batch(kind="ingest", source="four sources (synthetic)") as batch:
        batch.write("patient", linkage_set(300, seed=6).patient)
    result = runner.invoke(app, ["link", "--area", "NI-NOR-CA"])
    assert result.exit_code == 0, result.output
    for words in (
        "Source records",
        "Persons",
        "Links by national number",
        "Links by probabilistic",
        "Pairs waiting for review",
    ):
        assert words in result.output
    [line] = [line for line in result.output.splitlines() if "Pairs waiting for review" in line]
    assert int(line.strip("│ ").split("│")[-1].strip().replace(",", "")) == LinkReview.objects.count() > 0
    assert AuditEvent.objects.filter(action="linkage.run").count() == 1


def test_help_gives_an_example() -> None:
    result = runner.invoke(app, ["link", "--help"])
    assert result.exit_code == 0
    assert "icp link --area NI-NOR-CA" in result.output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--area", "NI-XX"], "unknown ICP"),
        (["--area", "NI-BEL-E"], "no records of NI-BEL-E"),
        (["--area", "NI-NOR-CA", "--link-threshold", "0.4"], "review (0.5) <= link (0.4)"),
    ],
)
def test_unusable_arguments_exit_2_with_the_reason(
    data_dir: Path, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["link", *arguments])
    assert result.exit_code == 2
    assert message in result.output

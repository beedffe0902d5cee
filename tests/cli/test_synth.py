"""`icp synth` from the command line: the summary, the patient index sync, the audit, bad arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from icp.audit.models import AuditEvent
from icp.cli import app
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse

runner = CliRunner()


@pytest.mark.django_db
def test_synth_writes_the_area_prints_the_summary_and_syncs_the_patient_index(data_dir: Path) -> None:
    result = runner.invoke(app, ["synth", "--area", "NI-WE-SW", "--seed", "3", "--people", "500"])
    assert result.exit_code == 0, result.output
    assert "synthetic" in result.output and "NI-WE-SW" in result.output and "500" in result.output
    assert "Patient index: 500 upserted, 0 removed." in result.output
    assert PatientIndex.objects.filter(icp__code="NI-WE-SW", synthetic=True).count() == 500
    assert AuditEvent.objects.filter(action="records.synth").count() == 1
    assert len(Warehouse(data_dir / "warehouse").find_batches(kind="synth", area="NI-WE-SW")) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--area", "NI-XX"], "is not NI or an NI ICP code"),
        (["--area", "NI", "--people", "3"], "fewer than one person per ICP"),
    ],
)
def test_unusable_arguments_exit_2_with_the_reason(
    data_dir: Path, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["synth", "--no-sync", *arguments])
    assert result.exit_code == 2
    assert message in result.output

"""`icp check` (and the set-up commands' shared rules): health is reported, a broken warehouse fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from icp.cli import app

runner = CliRunner()


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
def test_load_structure_loads_the_17_icps_and_is_audited() -> None:
    from icp.audit.models import AuditEvent

    result = runner.invoke(app, ["load-structure"], env={"COLUMNS": "150"})
    assert result.exit_code == 0, result.output
    assert "314 NI practices" in result.output and "NI-NOR-CA" in result.output
    assert AuditEvent.objects.filter(action="reference.load").exists()


def test_serve_keeps_its_address_option() -> None:
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "150"})
    assert result.exit_code == 0 and "--address" in result.output and "HOST:PORT" in result.output.upper()

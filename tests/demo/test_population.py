"""The demo's population step: the demo ICP is synthesised once, then only checked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from icp.demo.population import ensure_demo_population
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.django_db
def test_the_demo_step_synthesises_once_and_then_only_checks(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ICP_DEMO_PEOPLE", "300")
    console = Console(file=io.StringIO())
    ensure_demo_population(console=console, icp="NI-NOR-CA")
    [first] = Warehouse(data_dir / "warehouse").find_batches(kind="synth")
    ensure_demo_population(console=console, icp="NI-NOR-CA")
    assert Warehouse(data_dir / "warehouse").find_batches(kind="synth") == [first]
    assert PatientIndex.objects.filter(icp__code="NI-NOR-CA").count() == 300

"""The demo's stratification step: skipped without records, one run with them, reused the second time."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Sum

from icp.demo.stratification import stratify_demo_icp
from icp.patients.models import RiskCount, RiskResult, RiskRun
from tests.care.population import indexed_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    return tmp_path


def test_without_records_the_step_says_so_and_runs_nothing(data_dir: Path) -> None:
    assert "no records for NI-NOR-CA" in stratify_demo_icp("NI-NOR-CA")
    assert not RiskRun.objects.exists()


def test_one_run_then_the_same_run_is_reused(data_dir: Path) -> None:
    indexed_warehouse(1200)
    first = stratify_demo_icp("NI-NOR-CA")
    assert "1,200 people scored" in first and "/care/icp/NI-NOR-CA/population/" in first
    run = RiskRun.objects.get()
    assert RiskCount.objects.aggregate(people=Sum("people"))["people"] == 1200
    assert 0 < RiskResult.objects.count() < 1200  # the listed tiers' rows (ADR 0212)
    second = stratify_demo_icp("NI-NOR-CA")
    assert f"reusing run {run.run_id}" in second and RiskRun.objects.count() == 1

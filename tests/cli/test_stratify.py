"""`icp stratify` and `icp model report` end to end: a synthetic warehouse, a run, the sync, the card."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Sum
from typer.testing import CliRunner

from icp.cli import app
from icp.partnership.models import Area
from icp.patients.models import PatientIndex, RiskCount, RiskResult, RiskRun
from icp.records.warehouse import Warehouse
from tests.care.population import indexed_warehouse

runner = CliRunner()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    return indexed_warehouse(1200, indexed=900)


@pytest.mark.django_db
def test_stratify_writes_a_run_and_syncs_each_persons_latest_results(warehouse: Warehouse) -> None:
    result = runner.invoke(app, ["stratify", "--area", "NI-NOR-CA", "--as-of", "2025-06-01"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # Rich wraps long lines
    assert "NI-NOR-CA: 900 people's results synced" in output and "(300 not in the patient index)" in output
    # Everyone counted for the population page; rows for the tiers worklists list (ADR 0212).
    assert RiskCount.objects.aggregate(people=Sum("people"))["people"] == 900
    listed = RiskResult.objects.count()
    assert 0 < listed < 900 and f"{listed:,} in the tiers worklists list" in output
    assert not RiskResult.objects.filter(tier="low").exists()
    run = RiskRun.objects.get()
    assert run.index_date.isoformat() == "2025-06-01" and run.codelist_versions
    assert RiskResult.objects.filter(tier="very_high").exists()


@pytest.mark.django_db
def test_bad_arguments_are_refused_with_an_example(warehouse: Warehouse) -> None:
    assert runner.invoke(app, ["stratify", "--area", "NOWHERE"]).exit_code == 2
    bad_date = runner.invoke(app, ["stratify", "--as-of", "1 June"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    assert runner.invoke(app, ["stratify", "--pyramid", "50,60,70"]).exit_code == 2


@pytest.mark.django_db
def test_model_report_reproduces_the_card_figures(warehouse: Warehouse, tmp_path: Path) -> None:
    first = runner.invoke(
        app, ["model", "report", "--area", "NI-NOR-CA", "--as-of", "2025-06-01", "--out", str(tmp_path / "a")]
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app, ["model", "report", "--area", "NI-NOR-CA", "--as-of", "2025-06-01", "--out", str(tmp_path / "b")]
    )
    metrics = (tmp_path / "a" / "model-card-metrics.md").read_text()
    assert "| AUROC |" in metrics and "PPV in top 0.5%" in metrics and "SPARRA" in metrics
    # Same data, same seed: the same figures (the version hash covers the model itself).
    assert metrics == (tmp_path / "b" / "model-card-metrics.md").read_text()
    assert (tmp_path / "a" / "model-calibration.png").read_bytes()[:4] == b"\x89PNG"
    assert second.exit_code == 0


@pytest.mark.django_db
def test_without_enough_admissions_stratify_writes_every_score_by_rules_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from tests.stratify.builders import EFI_CODE, Records

    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    records = Records()  # a GP-only extract: no hospital encounters to learn from
    for n in range(200):
        pid = records.person(f"gp{n:03d}", born=dt.date(1930 + n % 60, 1, 1))
        for code in list(EFI_CODE.values())[: n % 8]:
            records.code(pid, code, dt.date(2015, 1, 1))
    records.write(Warehouse())
    icp = Area.objects.get(code="NI-NOR-CA")
    PatientIndex.objects.bulk_create(
        PatientIndex(patient_id=row["patient_id"], icp=icp, synthetic=True) for row in records.rows["patient"]
    )
    result = runner.invoke(app, ["stratify", "--area", "NI-NOR-CA", "--as-of", "2025-06-01"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "Ranked without the model: no admission model: too few emergency admissions" in output
    assert "Rule-based ranking (emergency admissions in the last 12 months, then eFI" in output
    assert RiskCount.objects.aggregate(people=Sum("people"))["people"] == 200
    assert RiskResult.objects.exists() and not RiskResult.objects.filter(model_risk__isnull=False).exists()
    assert RiskRun.objects.get().model_version == "rule-based"

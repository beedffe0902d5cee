"""`icp measure` and `icp evaluate` end to end on a small synthetic ICP."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from icp.cli import app
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse

runner = CliRunner()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    store = Warehouse()
    synthesise(store, area="NI-NOR-CA", seed=4, people=6000)
    return store


@pytest.mark.django_db
def test_measure_writes_every_table_as_parquet_and_csv(warehouse: Warehouse, tmp_path: Path) -> None:
    out = tmp_path / "indicators"
    result = runner.invoke(
        app, ["measure", "--area", "NI-NOR-CA", "--from", "2025-01", "--to", "2025-03", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in ("month_icp", "month_practice", "year_icp_quintile", "year_icp_age_sex"):
        assert (out / f"{name}.parquet").exists()
        frame = pd.read_csv(out / f"{name}.csv")
        assert {"indicator", "numerator", "denominator", "rate", "ci_low", "ci_high", "suppressed"} <= set(
            frame
        )
    assert "synthetic data" in " ".join(result.output.split())
    assert "planning opt-out" in result.output
    assert "the warehouse's own history (`icp synth`) for NI-NOR-CA" in " ".join(result.output.split())


@pytest.mark.django_db
def test_measure_leaves_out_and_names_the_month_whose_readmissions_the_records_cannot_yet_follow(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "indicators"
    result = runner.invoke(
        app, ["measure", "--area", "NI-NOR-CA", "--from", "2026-01", "--to", "2026-03", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "readmissions_30d: 2026-03 not reported (the records end on 2026-03-31" in said
    monthly = pd.read_csv(out / "month_icp.csv")
    readmissions = monthly[monthly["indicator"] == "readmissions_30d"]
    assert sorted(readmissions["period"].unique()) == ["2026-01-01", "2026-02-01"]
    admissions = monthly[monthly["indicator"] == "emergency_admissions_65"]
    assert "2026-03-01" in set(admissions["period"])


@pytest.mark.django_db
def test_measure_refuses_bad_arguments(warehouse: Warehouse, tmp_path: Path) -> None:
    bad_month = runner.invoke(app, ["measure", "--from", "April 2024", "--out", str(tmp_path)])
    assert bad_month.exit_code == 2 and "YYYY-MM" in bad_month.output
    assert runner.invoke(app, ["measure", "--area", "NOWHERE", "--out", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["measure", "--engine", "oracle", "--out", str(tmp_path)]).exit_code == 2


@pytest.mark.django_db
# acsc_chronic reads the lists of its specification's exclusions (it failed for want of them);
# bed_days counts each night of a stay on its own day.
@pytest.mark.parametrize("outcome", ["falls_admissions_65", "acsc_chronic", "bed_days"])
def test_evaluate_writes_the_effect_balance_and_people(
    warehouse: Warehouse, tmp_path: Path, outcome: str
) -> None:
    out = tmp_path / "falls.json"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--pathway",
            "falls",
            "--area",
            "NI-NOR-CA",
            "--outcome",
            outcome,
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert set(document["effect"]) == {"relative_change", "ci_low", "ci_high", "p_value"}
    assert (
        document["effect"]["ci_low"] <= document["effect"]["relative_change"] <= document["effect"]["ci_high"]
    )
    assert document["people"]["matched"] > 0 and document["balance"] and document["method"]


@pytest.mark.django_db
def test_evaluate_names_an_unknown_pathway_or_outcome(warehouse: Warehouse) -> None:
    unknown = runner.invoke(
        app, ["evaluate", "--pathway", "knitting", "--area", "NI-NOR-CA", "--outcome", "bed_days"]
    )
    assert unknown.exit_code == 2 and "knitting" in unknown.output
    wrong = runner.invoke(
        app, ["evaluate", "--pathway", "falls", "--area", "NI-NOR-CA", "--outcome", "eol_with_acp"]
    )
    assert wrong.exit_code == 2 and "eol_with_acp" in wrong.output


@pytest.mark.django_db
def test_once_the_care_app_publishes_evaluation_reads_its_tables_not_the_synthetic_history(
    warehouse: Warehouse,
) -> None:
    # The app database here holds no enrolment: published, the ICP's enrolments are none at all.
    published = runner.invoke(app, ["publish-care", "--area", "NI-NOR-CA"])
    assert published.exit_code == 0, published.output
    said = " ".join(published.output.split())
    assert "Published for NI-NOR-CA: 0 enrolments, 0 referrals, 0 care plans" in said
    assert warehouse.published_care_areas() == {"NI-NOR-CA"}
    result = runner.invoke(
        app, ["evaluate", "--pathway", "falls", "--area", "NI-NOR-CA", "--outcome", "falls_admissions_65"]
    )
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "published by the care app for NI-NOR-CA" in said
    assert "nobody in this area is enrolled in the pathway 'falls'" in said


@pytest.mark.django_db
def test_publish_care_names_an_icp_not_in_the_warehouse(warehouse: Warehouse) -> None:
    result = runner.invoke(app, ["publish-care", "--area", "NI-NOWHERE"])
    assert result.exit_code == 2 and "NI-NOWHERE" in result.output

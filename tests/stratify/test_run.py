"""A run over a small random (synthetic) population: model fitted on history, results written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from icp.records.warehouse import Warehouse
from icp.stratify import model, run
from icp.stratify.explain import sentence
from tests.stratify.builders import EFI_CODE, Records
from tests.stratify.population import AS_OF, random_population


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, Path, run.RunSummary]:
    root = tmp_path_factory.mktemp("run")
    warehouse = random_population(2500, icps=("NI-NOR-CA", "NI-BEL-E")).write(Warehouse(root / "warehouse"))
    summary = run.run(
        warehouse,
        index_date=AS_OF,
        models_dir=root / "models",
        opted_out_by_icp={"NI-NOR-CA": {"p00000"}, "NI-BEL-E": {"p00001"}},
    )
    return warehouse, root / "models", summary


def test_run_writes_one_batch_with_its_metadata(ran: tuple[Warehouse, Path, run.RunSummary]) -> None:
    warehouse, _models, summary = ran
    batch = warehouse.manifest()["batches"][summary.run_id]
    assert batch["kind"] == "stratify"
    detail = run.run_detail(warehouse, summary.run_id)
    assert detail["index_date"] == "2025-06-01" and detail["model_version"] == summary.model_version
    assert detail["codelist_versions"]["hfrs_icd10.csv"].startswith("gilbert2018")
    assert detail["planning_opt_outs_by_icp"] == {"NI-BEL-E": 1, "NI-NOR-CA": 1}
    assert summary.people == 2500 - 2 and summary.opted_out == 2


def test_opted_out_people_appear_in_no_output(ran: tuple[Warehouse, Path, run.RunSummary]) -> None:
    warehouse, _models, summary = ran
    rows = run.run_results(warehouse, "NI-NOR-CA", summary.run_id)
    assert not set(rows.column("patient_id").to_pylist()) & {"p00000", "p00001"}


def test_model_is_validated_on_a_later_period_and_has_signal(
    ran: tuple[Warehouse, Path, run.RunSummary],
) -> None:
    _warehouse, models, summary = ran
    card = summary.model_card
    assert card["development"]["index_date"] == "2023-06-01" and card["holdout"]["index_date"] == "2024-06-01"
    assert card["metrics"]["lightgbm"]["auroc"] > 0.65
    assert card["metrics"]["logistic_regression"]["auroc"] > 0.65
    saved = model.latest(models, areas=["NI-BEL-E", "NI-NOR-CA"])
    assert saved is not None and saved.version == summary.model_version


def test_tiers_per_icp_and_reasons_for_the_top(ran: tuple[Warehouse, Path, run.RunSummary]) -> None:
    warehouse, _models, summary = ran
    for icp in ("NI-NOR-CA", "NI-BEL-E"):
        rows = run.run_results(warehouse, icp, summary.run_id).sort_by("risk_rank").to_pylist()
        assert rows[0]["tier"] == "very_high" and rows[0]["risk_rank"] == 1
        assert rows[0]["risk_factors"], "the top of each pyramid is explained by the model"
        assert "model risk" in sentence(rows[0])
        assert rows[-1]["tier"] == "low" and not rows[-1]["risk_factors"]


def test_a_second_run_reuses_the_saved_model(ran: tuple[Warehouse, Path, run.RunSummary]) -> None:
    warehouse, models, summary = ran
    again = run.run(warehouse, index_date=AS_OF, models_dir=models)
    assert again.model_version == summary.model_version and "train" not in again.timings
    assert run.latest_run(warehouse, "NI-NOR-CA") == again.run_id


def test_without_enough_admissions_to_fit_a_model_every_score_is_still_written(tmp_path: Path) -> None:
    # A GP-only extract: frailty recorded, no hospital encounters, so no outcome to learn from.
    records = Records()
    for n in range(300):
        pid = records.person(f"gp{n:03d}", born=dt.date(1930 + n % 60, 1, 1))
        for code in list(EFI_CODE.values())[: n % 8]:
            records.code(pid, code, dt.date(2015, 1, 1))
    warehouse = records.write(Warehouse(tmp_path / "warehouse"))
    summary = run.run(warehouse, index_date=AS_OF, models_dir=tmp_path / "models")

    assert summary.model_not_used is not None and "too few emergency admissions" in summary.model_not_used
    assert summary.model_version == "rule-based" and summary.people == 300
    assert sum(summary.tier_counts["NI-NOR-CA"].values()) == 300
    detail = run.run_detail(warehouse, summary.run_id)
    assert detail["ranking"] == "rules" and detail["model_not_used"] == summary.model_not_used
    assert detail["rule_based_order"][:2] == ["emergency_admissions_12m", "efi_score"]
    rows = run.run_results(warehouse, "NI-NOR-CA", summary.run_id).sort_by("risk_rank").to_pylist()
    assert all(row["model_risk"] is None for row in rows)
    assert rows[0]["tier"] == "very_high" and rows[0]["efi_deficits"] == 7
    assert [row["efi_score"] for row in rows] == sorted((row["efi_score"] for row in rows), reverse=True)
    assert not (tmp_path / "models").exists()  # nothing saved that could pass for a model


def test_a_run_in_groups_of_icps_writes_the_same_rows_as_one_group(
    ran: tuple[Warehouse, Path, run.RunSummary], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Tiers are per ICP, so scoring an ICP at a time changes nothing; nor does a first run that
    must wait for the model after every group."""
    warehouse, _models, _summary = ran
    models = tmp_path / "models"
    assert run.area_groups(warehouse, ["NI-BEL-E", "NI-NOR-CA"], 10_000) == [["NI-BEL-E", "NI-NOR-CA"]]
    assert run.area_groups(warehouse, ["NI-BEL-E", "NI-NOR-CA"], 1) == [["NI-BEL-E"], ["NI-NOR-CA"]]
    whole = run.run(warehouse, index_date=AS_OF, models_dir=models)  # a first run: fits the model
    monkeypatch.setattr(run, "GROUP_PEOPLE", 1)
    grouped = run.run(warehouse, index_date=AS_OF, models_dir=models)
    monkeypatch.setattr(run, "HELD_PEOPLE", 1)
    refitted = run.run(warehouse, index_date=AS_OF, models_dir=models, retrain=True)
    assert whole.model_version == grouped.model_version == refitted.model_version
    for icp in ("NI-BEL-E", "NI-NOR-CA"):
        expected = run.run_results(warehouse, icp, whole.run_id).drop_columns(["batch_id"])
        for other in (grouped, refitted):
            assert run.run_results(warehouse, icp, other.run_id).drop_columns(["batch_id"]).equals(expected)
    assert grouped.tier_counts == whole.tier_counts and grouped.efi_65_plus == whole.efi_65_plus

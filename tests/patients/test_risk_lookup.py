"""Anyone's latest risk: the app database's row for the listed tiers, the run's warehouse file for
everyone else, read exactly as a synced row would read (ADR 0212)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from icp.patients.models import RiskResult
from icp.patients.risk_detail import FIELDS, RiskDetail
from icp.patients.risk_lookup import risk_of, unlisted
from icp.patients.risk_sync import sync_results
from icp.records.warehouse import Warehouse
from icp.stratify.run import results_path
from tests.care.risk_rows import RUN_ID, result_row, results_table
from tests.sharing.conftest import World


def _run_written(table: pa.Table, icp: str = "NI-NOR-CA") -> Path:
    """The run's file where a run writes it, then the sync, as `icp stratify` does."""
    path = results_path(Warehouse(), icp, RUN_ID)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    return tmp_path


def test_a_low_tier_person_is_read_from_the_run_as_the_sync_would_write_them(
    world: World, data_dir: Path
) -> None:
    practice_b = world.orgs["practice_b"]
    low = result_row("pt-bob-0002", practice_b.code, risk_rank=2, tier="low", registers=["copd"], sex=None)
    table = results_table(result_row("pt-alice-0001", world.orgs["practice_a"].code), low)
    _run_written(table)
    sync_results(world.icp, table)
    assert not RiskResult.objects.filter(patient=world.patients["bob"]).exists()

    bob = risk_of(world.patients["bob"])
    assert bob is not None and bob.pk is None  # built, not stored
    assert (bob.tier, bob.risk_rank, bob.practice, bob.sex, bob.registers_text) == (
        "low",
        2,
        practice_b,
        "",
        ",copd,",
    )
    assert bob.detail == RiskDetail(**{name: low[name] for name in FIELDS})
    assert bob.run.run_id == RUN_ID and bob.get_tier_display() == "Low"
    assert "2 emergency admissions in 12 months" in bob.reasons
    # A listed person is their row.
    alice = risk_of(world.patients["alice"])
    assert alice is not None and alice.pk == RiskResult.objects.get(patient=world.patients["alice"]).pk


def test_no_risk_without_a_run_a_file_or_a_row_in_it(world: World, data_dir: Path) -> None:
    bob = world.patients["bob"]
    assert risk_of(bob) is None  # no run synced
    table = results_table(result_row("pt-alice-0001", world.orgs["practice_a"].code, tier="low"))
    path = _run_written(table)
    sync_results(world.icp, table)
    assert risk_of(bob) is None  # not in the run (left out, moved away)
    assert risk_of(world.patients["alice"]) is not None
    path.unlink()
    assert risk_of(world.patients["alice"]) is None  # the run's file is gone: nothing to show


def test_unlisted_gives_the_people_without_a_row(world: World, data_dir: Path) -> None:
    practice_a = world.orgs["practice_a"].code
    table = results_table(
        result_row("pt-alice-0001", practice_a),
        result_row("pt-bob-0002", practice_a, risk_rank=2, tier="low", housebound=True),
    )
    assert unlisted(world.icp, ["housebound"]).num_rows == 0  # no run yet
    _run_written(table)
    sync_results(world.icp, table)
    found = unlisted(world.icp, ["housebound", "age"])
    assert found.column_names == ["patient_id", "housebound", "age"]
    assert found.to_pylist() == [{"patient_id": "pt-bob-0002", "housebound": True, "age": 84}]

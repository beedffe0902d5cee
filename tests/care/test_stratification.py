"""The stratification use case: its scope (ICPs, index date, planning opt-outs), the run and the sync."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from django.db.models import Sum

from icp.audit.models import AuditEvent
from icp.care import stratification
from icp.partnership.models import User
from icp.partnership.roles import UserRole
from icp.patients.models import LISTED_TIERS, PatientIndex, RiskCount, RiskResult, RiskRun
from icp.records.warehouse import Warehouse
from icp.sharing.actions import record_choice
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue
from icp.stratify import run as runs
from tests.care.population import indexed_warehouse

pytestmark = pytest.mark.django_db
INDEX_DATE = date(2025, 6, 1)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    return indexed_warehouse(1200)


def opt_out(patient_ids: list[str], *, on: date, by: User) -> None:
    for patient in PatientIndex.objects.filter(patient_id__in=patient_ids):
        record_choice(
            patient=patient,
            kind=ChoiceKind.PLANNING_OPT_OUT,
            value=ChoiceValue.OPTED_OUT,
            effective_date=on,
            by=by,
        )


@pytest.fixture
def ig_lead(make_user: Callable[..., User]) -> User:
    return make_user(UserRole.IG_LEAD)


def test_the_scope_leaves_out_the_opt_outs_in_force_on_the_index_date(
    warehouse: Warehouse, ig_lead: User
) -> None:
    ids = [p.patient_id for p in PatientIndex.objects.order_by("patient_id")[:3]]
    before, after = ids[:2], ids[2:]
    opt_out(before, on=date(2025, 1, 1), by=ig_lead)
    opt_out(after, on=date(2025, 9, 1), by=ig_lead)
    scope = stratification.scope(areas=["NI-NOR-CA"], index_date=INDEX_DATE, warehouse=warehouse)
    assert scope.icps == ["NI-NOR-CA"] and scope.index_date == INDEX_DATE
    assert scope.opted_out_by_icp == {"NI-NOR-CA": frozenset(before)} and scope.excluded == frozenset(before)


def test_every_icp_in_the_warehouse_and_the_newest_record_by_default(warehouse: Warehouse) -> None:
    scope = stratification.scope(areas=None, warehouse=warehouse)
    assert scope.areas is None and scope.icps == runs.areas_in(warehouse) == ["NI-NOR-CA"]
    assert scope.index_date == runs.latest_record_date(warehouse)


def test_an_empty_warehouse_has_nothing_to_stratify(tmp_path: Path) -> None:
    with pytest.raises(stratification.NothingToStratify, match="icp synth"):
        stratification.scope(areas=None, warehouse=Warehouse(tmp_path / "warehouse"))


def test_the_run_scores_everyone_but_the_opted_out_and_the_sync_is_audited(
    warehouse: Warehouse, ig_lead: User, tmp_path: Path
) -> None:
    left_out = [p.patient_id for p in PatientIndex.objects.order_by("patient_id")[:5]]
    opt_out(left_out, on=date(2025, 1, 1), by=ig_lead)
    scope = stratification.scope(areas=["NI-NOR-CA"], index_date=INDEX_DATE, warehouse=warehouse)
    summary = stratification.stratify(scope, models_dir=tmp_path / "models")
    assert summary.opted_out == 5 and summary.people == 1200 - 5
    [synced] = stratification.sync(warehouse, summary)
    assert synced.icp == "NI-NOR-CA" and synced.summary is not None and synced.summary.synced == 1195
    # Rows for the listed tiers (ADR 0212), counts of everyone.
    written = runs.run_results(warehouse, "NI-NOR-CA", summary.run_id)
    listed = pc.sum(pc.is_in(written.column("tier"), pa.array(LISTED_TIERS))).as_py()
    assert 0 < listed < 1195 and synced.summary.listed == listed
    assert RiskResult.objects.count() == listed and not RiskResult.objects.filter(tier="low").exists()
    assert RiskCount.objects.aggregate(people=Sum("people"))["people"] == 1195
    assert not RiskResult.objects.filter(patient__patient_id__in=left_out).exists()
    event = AuditEvent.objects.get(action="risk.sync")
    assert event.target_id == "NI-NOR-CA" and event.detail["run_id"] == summary.run_id


def test_the_sync_alongside_the_run_writes_what_the_run_wrote_in_one_commit(
    transactional_db: None, warehouse: Warehouse, ig_lead: User, tmp_path: Path
) -> None:
    """Outside a transaction the rows are inserted by a thread while the run scores (ADR 0201)."""
    left_out = [p.patient_id for p in PatientIndex.objects.order_by("patient_id")[:3]]
    opt_out(left_out, on=date(2025, 1, 1), by=ig_lead)
    scope = stratification.scope(areas=["NI-NOR-CA"], index_date=INDEX_DATE, warehouse=warehouse)
    summary, [synced] = stratification.stratify_and_sync(scope, models_dir=tmp_path / "models", by=ig_lead)
    assert synced.summary is not None and synced.summary.synced == summary.people == 1200 - 3
    written = runs.run_results(warehouse, "NI-NOR-CA", summary.run_id)
    in_app = dict(RiskResult.objects.values_list("patient__patient_id", "tier"))
    listed = written.filter(pc.is_in(written.column("tier"), pa.array(LISTED_TIERS)))
    assert in_app == dict(
        zip(listed.column("patient_id").to_pylist(), listed.column("tier").to_pylist(), strict=True)
    )
    assert set(RiskResult.objects.values_list("run__run_id", flat=True)) == {summary.run_id}
    event = AuditEvent.objects.get(action="risk.sync")
    assert event.detail == {
        "run_id": summary.run_id,
        "synced": 1197,
        "listed": listed.num_rows,
        "not_in_patient_index": 0,
    }
    assert RiskRun.objects.get(run_id=summary.run_id).planning_opt_outs_left_out == 3


def test_a_run_that_fails_after_writing_leaves_the_app_database_as_it_was(
    transactional_db: None, warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scope = stratification.scope(areas=["NI-NOR-CA"], index_date=INDEX_DATE, warehouse=warehouse)
    first, _synced = stratification.stratify_and_sync(scope, models_dir=tmp_path / "models")

    def full_disk(self: Warehouse, batch: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(Warehouse, "_commit", full_disk)
    with pytest.raises(OSError, match="No space left"):
        stratification.stratify_and_sync(scope, models_dir=tmp_path / "models")
    assert set(RiskResult.objects.values_list("run__run_id", flat=True)) == {first.run_id}
    assert RiskCount.objects.aggregate(people=Sum("people"))["people"] == first.people

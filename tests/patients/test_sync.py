"""The patient index follows the warehouse: upserts in bulk, removes the departed, keeps what care
records still point at, and audits the sync (on SQLite, and on PostgreSQL when DATABASE_URL says)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from icp.audit.models import AuditEvent
from icp.partnership.models import User
from icp.patients.models import PatientIndex
from icp.patients.sync import SyncError, sync_patient_index
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse
from icp.sharing.models import PersonChoice
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue

pytestmark = pytest.mark.django_db


def _people(ids: list[str], icp: str = "NI-NOR-CA", practice: str | None = "NI-GP-341") -> pa.Table:
    n = len(ids)
    return pa.table(
        {
            "patient_id": ids,
            "national_id": [f"99{i:08d}" for i in range(n)],
            "national_id_system": ["hcn"] * n,
            "given_name": ["Ann"] * n,
            "family_name": ["Example"] * n,
            "sex": ["female"] * n,
            "birth_date": [date(1950, 1, 1)] * n,
            "practice_code": [practice] * n,
            "registered": [practice is not None] * n,
            "deprivation_quintile": pa.array([2] * n, pa.int8()),
            "icp": [icp] * n,
            "source": ["test"] * n,
            "synthetic": [True] * n,
        }
    )


def _load(warehouse: Warehouse, table: pa.Table, replaces: list[str] | None = None) -> str:
    with warehouse.batch(kind="test", source="test", replaces=replaces or []) as batch:
        batch.write("patient", table)
        return batch.batch_id


def test_a_synthesised_icp_lands_in_the_patient_index(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    [result] = synthesise(warehouse, area="NI-NOR-CA", seed=5, people=400)
    summary = sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    assert summary.upserted == 400 and summary.removed == 0 and summary.unknown_practices == 0
    rows = PatientIndex.objects.filter(icp__code="NI-NOR-CA")
    assert rows.count() == 400
    assert not rows.filter(synthetic=False).exists()
    assert not rows.filter(practice__isnull=True).exists()
    assert set(rows.values_list("practice__icp__code", flat=True)) == {"NI-NOR-CA"}
    died = warehouse.read_arrow("patient").to_pylist()
    dead = {row["patient_id"]: row["death_date"] for row in died if row["death_date"]}
    assert dead, "four years of history should include some deaths"
    for patient_id, death_date in list(dead.items())[:5]:
        assert PatientIndex.objects.get(patient_id=patient_id).death_date == death_date
    assert AuditEvent.objects.filter(action="care.patient_index.sync").exists()
    assert result.people == 400


def test_a_second_sync_updates_in_place_and_removes_people_no_longer_in_the_warehouse(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    first = _load(warehouse, _people(["p1", "p2", "p3"]))
    sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    original = PatientIndex.objects.get(patient_id="p1").pk
    changed = _people(["p1", "p2"]).set_column(4, "family_name", pa.array(["Changed", "Changed"]))
    _load(warehouse, changed, replaces=[first])
    summary = sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    assert (summary.upserted, summary.removed) == (2, 1)
    assert sorted(PatientIndex.objects.values_list("patient_id", flat=True)) == ["p1", "p2"]
    p1 = PatientIndex.objects.get(patient_id="p1")
    assert p1.pk == original and p1.family_name == "Changed"


def test_only_the_named_areas_are_touched(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    _load(warehouse, _people(["east-1"], icp="NI-BEL-E", practice=None))
    sync_patient_index(areas=["NI-BEL-E"], warehouse=warehouse)
    _load(warehouse, _people(["causeway-1"]))
    sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    assert sorted(PatientIndex.objects.values_list("patient_id", flat=True)) == ["causeway-1", "east-1"]
    east = PatientIndex.objects.get(patient_id="east-1")
    assert east.practice is None and east.registered is False


def test_a_row_that_care_records_point_at_is_kept_and_counted(
    tmp_path: Path, make_user: Callable[..., User]
) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    first = _load(warehouse, _people(["kept", "gone"]))
    sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    # A recorded opt-out must not vanish because the person left an extract.
    PersonChoice.objects.create(
        patient=PatientIndex.objects.get(patient_id="kept"),
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        effective_date=date(2026, 1, 5),
        recorded_by=make_user(),
    )
    _load(warehouse, _people(["other"]), replaces=[first])
    summary = sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    assert (summary.kept_referenced, summary.removed) == (1, 1)
    assert sorted(PatientIndex.objects.values_list("patient_id", flat=True)) == ["kept", "other"]
    assert PersonChoice.objects.filter(patient__patient_id="kept").exists()


def test_an_unknown_area_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="unknown ICP code"):
        sync_patient_index(areas=["NI-XX"], warehouse=Warehouse(tmp_path / "warehouse"))

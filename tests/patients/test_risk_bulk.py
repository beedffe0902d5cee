"""A sync's rows go into the database in bulk: every row once, however many statements carry them;
SQLite's bulk settings hold while the rows go in and are put back afterwards (ADR 0205)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.db import connection
from django.db.models import Model

from icp.patients import risk_bulk
from icp.patients.models import PatientIndex, RiskResult
from icp.patients.risk_detail import FIELDS, RiskDetail
from icp.patients.risk_sync import sync_results
from tests.care.risk_rows import result_row, results_table
from tests.sharing.conftest import World


def test_rows_beyond_one_statement_each_arrive_once_the_last_few_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's INSERTs carry many rows each (ADR 0205): a sync of more rows than one statement holds
    writes every row once, in full statements and one for the rows left over."""
    monkeypatch.setattr(risk_bulk, "SQLITE_ROWS_PER_STATEMENT", 2)
    practice = world.orgs["practice_a"]
    ids = [f"pt-many-{n:04d}" for n in range(7)]
    for patient_id in ids:
        PatientIndex.objects.create(
            patient_id=patient_id, practice=practice, icp=world.icp, sex="male", synthetic=True
        )
    rows = [
        result_row(patient_id, practice.code, risk_rank=n + 1, age=60 + n) for n, patient_id in enumerate(ids)
    ]
    summary = sync_results(world.icp, results_table(*rows))

    assert (summary.synced, summary.not_in_index) == (7, 0)
    synced = RiskResult.objects.order_by("risk_rank")
    assert [(r.patient.patient_id, r.risk_rank, r.age) for r in synced] == [
        (patient_id, n + 1, 60 + n) for n, patient_id in enumerate(ids)
    ]
    assert all(r.detail == RiskDetail(**{name: rows[0][name] for name in FIELDS}) for r in synced)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_a_sqlite_sync_deletes_without_zeroing_freed_pages_and_puts_its_settings_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old rows go with secure_delete FAST (ADR 0205) and a larger page cache, for the sync only."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = 1")
        cursor.execute("PRAGMA cache_size = -2000")
    seen = []
    insert = risk_bulk.insert

    def watched(rows: pa.Table, model: type[Model] = RiskResult) -> None:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            secure_delete = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size")
            seen.append((secure_delete, cursor.fetchone()[0]))
        insert(rows, model)

    monkeypatch.setattr(risk_bulk, "insert", watched)
    sync_results(world.icp, results_table(result_row("pt-alice-0001", world.orgs["practice_a"].code)))

    assert seen == [(2, risk_bulk.SQLITE_CACHE_KIB)] * 2  # 2: FAST (the rows, then the counts)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -2000

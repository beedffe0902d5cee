"""An ingested person's id is the warehouse's own: opaque, stable, and not the source's running number."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

import duckdb

from icp.records.ingest import ingest
from icp.records.ingest.patient_ids import hmac_pads, opaque_patient_id, opaque_patient_id_sql
from icp.records.warehouse import PATIENT_ID_KEY, Warehouse
from tests.records.ingest.conftest import AREA, condition, patient


def test_a_sources_running_numbers_become_ids_that_say_nothing(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    numbers = [str(n) for n in range(1001, 1021)]
    ingest([write_ndjson("Patient.ndjson", *(patient(n) for n in numbers))], warehouse=warehouse, area=AREA)
    rows = warehouse.read_arrow("patient").to_pylist()
    assert sorted(r["source_id"] for r in rows) == numbers  # the source's id, kept to trace back
    ids = [r["patient_id"] for r in sorted(rows, key=lambda r: int(r["source_id"]))]
    assert all(re.fullmatch(r"P-[0-9a-f]{20}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids != sorted(ids)  # in no order the source's numbers had
    assert not any(number in i for number, i in zip(numbers, ids, strict=True))


def test_the_id_needs_the_warehouses_own_key_which_only_its_owner_reads(
    tmp_path: Path, write_ndjson: Callable[..., Path]
) -> None:
    first, second = Warehouse(tmp_path / "first"), Warehouse(tmp_path / "second")
    source = write_ndjson("Patient.ndjson", patient("1001"))
    for warehouse in (first, second):
        ingest([source], warehouse=warehouse, area=AREA)
    named = [w.read_arrow("patient").column("patient_id").to_pylist()[0] for w in (first, second)]
    assert named[0] != named[1]  # another warehouse, another key: the same source id is another id
    key_file = first.root / PATIENT_ID_KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert named[0] == opaque_patient_id(first.patient_id_key(), "1001")


def test_a_later_loads_records_find_the_person_by_the_sources_id(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    ingest([write_ndjson("Patient.ndjson", patient("1001"))], warehouse=warehouse, area=AREA)
    report = ingest([write_ndjson("Condition.ndjson", condition("c1", "1001"))], warehouse=warehouse)
    assert report.put_aside == 0
    (person,) = warehouse.read_arrow("patient").to_pylist()
    assert warehouse.read_arrow("condition").column("patient_id").to_pylist() == [person["patient_id"]]


def test_the_vectorised_id_is_the_same_hmac_for_any_key_and_id() -> None:
    ids = ["1001", "synthetic-p1", "é∂x", "", "a" * 200]
    # A short key, one exactly a block long, and one longer than a block (hashed first, RFC 2104).
    for key in (b"k", b"6" * 64, b"x6-_" * 40):
        con = duckdb.connect()
        con.execute(
            "CREATE TEMP TABLE id_key AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad", list(hmac_pads(key))
        )
        rows = con.execute(
            f"SELECT s, {opaque_patient_id_sql('s')} FROM unnest(?::VARCHAR[]) t(s), id_key",  # noqa: S608
            [ids],
        ).fetchall()
        assert dict(rows) == {i: opaque_patient_id(key, i) for i in ids}

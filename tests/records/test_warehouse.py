"""The warehouse commits each batch atomically and reads back exactly what was committed."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from icp.records.warehouse import MANIFEST, Warehouse
from tests.records.conftest import small_conditions, small_patients


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the warehouse (except the lock), with its bytes."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


def test_a_committed_batch_is_read_back_row_for_row(small_warehouse: Warehouse) -> None:
    patients = small_warehouse.read_arrow("patient").sort_by("patient_id")
    assert patients.column("patient_id").to_pylist() == ["p1", "p2", "p3", "p4", "p5"]
    assert patients.column("sex").to_pylist() == small_patients().column("sex").to_pylist()
    assert small_warehouse.read_arrow("condition").num_rows == 4
    assert small_warehouse.read_arrow("encounter").num_rows == 3


def test_each_table_is_partitioned_by_icp_and_listed_in_the_manifest(small_warehouse: Warehouse) -> None:
    manifest = json.loads((small_warehouse.root / MANIFEST).read_text())
    [(batch_id, entry)] = manifest["batches"].items()
    assert entry["areas"] == ["NI-BEL-E", "NI-NOR-CA"]
    assert f"patient/icp=NI-NOR-CA/{batch_id}.parquet" in entry["files"]
    assert f"patient/icp=NI-BEL-E/{batch_id}.parquet" in entry["files"]
    assert f"batch/{batch_id}.parquet" in entry["files"]
    assert all((small_warehouse.root / relative).exists() for relative in entry["files"])


def test_every_row_carries_the_id_of_the_batch_that_wrote_it(small_warehouse: Warehouse) -> None:
    [batch_id] = small_warehouse.find_batches()
    for table in ("patient", "condition", "encounter"):
        assert set(small_warehouse.read_arrow(table).column("batch_id").to_pylist()) == {batch_id}


def test_the_batch_table_records_what_was_loaded(small_warehouse: Warehouse) -> None:
    [row] = small_warehouse.batches().to_pylist()
    assert row["kind"] == "test"
    assert row["source"] == "fixture"
    assert row["areas"] == ["NI-BEL-E", "NI-NOR-CA"]
    assert row["accepted"] == 5 + 4 + 3
    assert json.loads(row["detail"])["counts"] == {"patient": 5, "condition": 4, "encounter": 3}
    assert row["started_at"] <= row["finished_at"]


def test_an_exception_inside_the_batch_leaves_the_warehouse_as_it_was(small_warehouse: Warehouse) -> None:
    before = _snapshot(small_warehouse.root)
    with (
        pytest.raises(RuntimeError, match="crash mid-load"),
        small_warehouse.batch(kind="test", source="second") as batch,
    ):
        batch.write("patient", small_patients())
        batch.write("condition", small_conditions())
        raise RuntimeError("crash mid-load")
    assert _snapshot(small_warehouse.root) == before
    assert small_warehouse.read_arrow("patient").num_rows == 5
    assert not any((small_warehouse.root / ".staging").iterdir())


def test_a_bad_table_inside_the_batch_discards_the_whole_batch(small_warehouse: Warehouse) -> None:
    before = _snapshot(small_warehouse.root)
    bad = small_conditions().drop_columns(["patient_id"])
    with (
        pytest.raises(ValueError, match="condition: required column patient_id is missing"),
        small_warehouse.batch(kind="test", source="second") as batch,
    ):
        batch.write("patient", small_patients())
        batch.write("condition", bad)
    assert _snapshot(small_warehouse.root) == before


def test_readers_see_nothing_of_a_batch_until_it_commits(small_warehouse: Warehouse) -> None:
    with small_warehouse.batch(kind="test", source="second") as batch:
        batch.write("patient", small_patients())
        assert small_warehouse.read_arrow("patient").num_rows == 5
    assert small_warehouse.read_arrow("patient").num_rows == 10


def test_replacing_a_batch_swaps_its_rows_but_keeps_its_history(small_warehouse: Warehouse) -> None:
    [first] = small_warehouse.find_batches()
    first_files = small_warehouse.manifest()["batches"][first]["files"]
    replacement = small_patients().slice(0, 2)
    with small_warehouse.batch(kind="test", source="fixture", replaces=[first]) as batch:
        batch.write("patient", replacement)
    [second] = small_warehouse.find_batches()
    assert second != first
    assert small_warehouse.read_arrow("patient").column("patient_id").to_pylist() == ["p1", "p2"]
    assert small_warehouse.read_arrow("condition").num_rows == 0
    data_files = [f for f in first_files if not f.startswith("batch/")]
    assert not any((small_warehouse.root / f).exists() for f in data_files)
    # The batch table still tells what the first batch loaded, and that the second replaced it.
    rows = {row["batch_id"]: row for row in small_warehouse.batches().to_pylist()}
    assert set(rows) == {first, second}
    assert rows[second]["replaced_batches"] == [first]


def test_the_areas_filter_reads_one_icp_alone(small_warehouse: Warehouse) -> None:
    causeway = small_warehouse.read_arrow("patient", ["NI-NOR-CA"])
    assert sorted(causeway.column("patient_id").to_pylist()) == ["p1", "p2", "p3"]
    assert set(causeway.column("icp").to_pylist()) == {"NI-NOR-CA"}
    both = small_warehouse.read_arrow("patient", ["NI-NOR-CA", "NI-BEL-E"])
    assert both.num_rows == 5
    assert small_warehouse.read_arrow("patient", ["NI-WE-DE"]).num_rows == 0
    assert all("icp=NI-BEL-E" in str(f) for f in small_warehouse.files("condition", ["NI-BEL-E"]))
    # The batch table is not partitioned: an areas filter still returns every batch.
    assert small_warehouse.files("batch", ["NI-WE-DE"]) == small_warehouse.files("batch")


def test_some_columns_can_be_read_alone(small_warehouse: Warehouse) -> None:
    table = small_warehouse.read_arrow("patient", ["NI-BEL-E"], columns=["patient_id", "birth_date"])
    assert table.column_names == ["patient_id", "birth_date"]
    assert table.num_rows == 2
    with pytest.raises(ValueError, match="patient: unknown column"):
        small_warehouse.read_arrow("patient", columns=["nhs_number"])


def test_find_batches_filters_by_kind_source_and_area(small_warehouse: Warehouse) -> None:
    with small_warehouse.batch(kind="synth", source="icp synth") as batch:
        batch.write("patient", small_patients().filter(pa.compute.equal(small_patients()["icp"], "NI-BEL-E")))
    [fixture] = small_warehouse.find_batches(kind="test")
    [synth] = small_warehouse.find_batches(kind="synth")
    assert small_warehouse.find_batches(area="NI-NOR-CA") == [fixture]
    assert small_warehouse.find_batches(area="NI-BEL-E") == sorted([fixture, synth])
    assert small_warehouse.find_batches(kind="synth", area="NI-NOR-CA") == []
    assert small_warehouse.find_batches(source="icp synth") == [synth]


def test_an_empty_warehouse_reads_as_empty_tables(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "nothing-yet")
    assert warehouse.manifest() == {"version": 0, "batches": {}}
    assert warehouse.read_arrow("patient").num_rows == 0
    assert warehouse.read_arrow("patient").schema.names[0] == "patient_id"


def test_writing_to_an_unknown_table_or_without_an_icp_is_refused(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    with (
        pytest.raises(ValueError, match="'people' is not a data table"),
        warehouse.batch(kind="test", source="x") as batch,
    ):
        batch.write("people", small_patients())
    no_icp = small_patients().set_column(
        small_patients().column_names.index("icp"), "icp", pa.array([None] * 5, pa.string())
    )
    with pytest.raises(ValueError, match="icp"), warehouse.batch(kind="test", source="x") as batch:
        batch.write("patient", no_icp)
    assert warehouse.manifest()["batches"] == {}


def test_two_batches_can_be_written_at_once_and_both_commit(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    patients = small_patients()
    causeway = patients.filter(pa.compute.equal(patients["icp"], "NI-NOR-CA"))
    east = patients.filter(pa.compute.equal(patients["icp"], "NI-BEL-E"))
    with (
        warehouse.batch(kind="test", source="a") as first,
        warehouse.batch(kind="test", source="b") as second,
    ):
        first.write("patient", causeway)
        second.write("patient", east)
    assert len(warehouse.find_batches()) == 2
    assert warehouse.read_arrow("patient").num_rows == 5


def _enrolments(ids: list[str], icps: list[str]) -> pa.Table:
    return pa.table(
        {
            "enrolment_id": ids,
            "patient_id": [f"p-{i}" for i in ids],
            "pathway": ["falls"] * len(ids),
            "enrolled_date": pa.array([20000] * len(ids), pa.int32()).cast(pa.date32()),
            "icp": icps,
            "synthetic": [True] * len(ids),
        }
    )


def test_an_icp_the_care_app_has_published_reads_its_care_tables_from_the_app_alone(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    with warehouse.batch(kind="synth", source="icp synth seed=1") as batch:
        batch.write("enrolment", _enrolments(["s1", "s2"], ["NI-NOR-CA", "NI-BEL-E"]))
    with warehouse.batch(kind="care", source="icp care app") as batch:
        batch.write("enrolment", _enrolments(["a1"], ["NI-NOR-CA"]))

    assert warehouse.published_care_areas() == {"NI-NOR-CA"}
    read = warehouse.read_arrow("enrolment").column("enrolment_id").to_pylist()
    assert sorted(read) == ["a1", "s2"]  # the app's rows for its ICP, the history for the other


def test_a_batch_can_cover_an_icp_it_writes_no_rows_for(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    with warehouse.batch(kind="synth", source="icp synth seed=1") as batch:
        batch.write("enrolment", _enrolments(["s1"], ["NI-BEL-E"]))
    with warehouse.batch(kind="care", source="icp care app") as batch:
        batch.cover(["NI-BEL-E"])  # the app has no enrolment there yet: that is its answer

    assert warehouse.manifest()["batches"][batch.batch_id]["areas"] == ["NI-BEL-E"]
    assert warehouse.read_arrow("enrolment", ["NI-BEL-E"]).num_rows == 0


def test_a_patient_row_not_yet_linked_is_a_person_of_its_own(small_warehouse: Warehouse) -> None:
    rows = small_warehouse.read_arrow("patient", columns=["patient_id", "person_id"]).to_pylist()
    assert all(row["person_id"] == row["patient_id"] for row in rows)


def _relabel(rows: pa.Table) -> pa.Table:
    position = rows.schema.get_field_index("person_id")
    return rows.set_column(position, "person_id", pa.array(["p1"] * rows.num_rows, pa.string()))


def test_a_rewrite_changes_rows_in_place_and_leaves_them_with_the_batch_that_loaded_them(
    small_warehouse: Warehouse,
) -> None:
    [loaded] = small_warehouse.find_batches(kind="test")
    rewrite = small_warehouse.rewrite(
        "patient", area="NI-NOR-CA", transform=_relabel, kind="link", source="test"
    )
    rows = small_warehouse.read_arrow("patient", ["NI-NOR-CA"]).to_pylist()
    assert {row["person_id"] for row in rows} == {"p1"} and len(rows) == 3
    assert {row["batch_id"] for row in rows} == {loaded}
    others = small_warehouse.read_arrow("patient", ["NI-BEL-E"]).column("person_id").to_pylist()
    assert others == ["p4", "p5"]
    assert small_warehouse.find_batches(area="NI-NOR-CA") == [loaded]  # the rewrite loads no rows
    assert rewrite in small_warehouse.batches().column("batch_id").to_pylist()
    # Replacing the loading batch still removes the rewritten rows.
    with small_warehouse.batch(kind="test", source="again", replaces=[loaded]) as batch:
        batch.write("patient", small_patients().slice(0, 1))
    assert small_warehouse.read_arrow("patient").column("patient_id").to_pylist() == ["p1"]
    live = [p for p in (small_warehouse.root / "patient").rglob("*.parquet")]
    assert len(live) == 1


def test_a_failed_rewrite_leaves_the_warehouse_as_it_was(small_warehouse: Warehouse) -> None:
    before = json.loads((small_warehouse.root / MANIFEST).read_text())

    def broken(rows: pa.Table) -> pa.Table:
        return rows.append_column("surprise", pa.array([1] * rows.num_rows))

    with pytest.raises(ValueError, match="surprise"):
        small_warehouse.rewrite("patient", area="NI-NOR-CA", transform=broken, kind="link", source="test")
    assert json.loads((small_warehouse.root / MANIFEST).read_text()) == before
    assert small_warehouse.read_arrow("patient").num_rows == 5


def test_files_read_back_with_the_schema_types_and_statistics_only_where_a_reader_can_skip(
    small_warehouse: Warehouse,
) -> None:
    import pyarrow.parquet as pq

    from icp.records.schema import TABLES

    [path] = small_warehouse.files("condition", ["NI-NOR-CA"])
    assert pq.read_schema(path).equals(TABLES["condition"])  # provenance written encoded, read as strings
    columns = pq.ParquetFile(path).metadata.row_group(0)
    statistics = {
        columns.column(i).path_in_schema: columns.column(i).statistics is not None
        for i in range(columns.num_columns)
    }
    assert statistics["patient_id"] and statistics["onset_date"]
    assert not statistics["code"] and not statistics["batch_id"] and not statistics["source"]


def test_the_source_may_be_given_encoded_or_plain(tmp_path: Path) -> None:
    from icp.records.warehouse import constant_string

    warehouse = Warehouse(tmp_path)
    patients = small_patients().drop_columns(["source"])
    with warehouse.batch(kind="test", source="fixture") as batch:
        batch.write("patient", patients.append_column("source", constant_string("a GP", patients.num_rows)))
        batch.write("patient", patients.append_column("source", pa.array(["a trust"] * patients.num_rows)))
    rows = warehouse.read_arrow("patient")
    assert rows.schema.field("source").type == pa.string()
    assert sorted(set(rows.column("source").to_pylist())) == ["a GP", "a trust"]

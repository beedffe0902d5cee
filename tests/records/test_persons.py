"""Population queries see persons: one patient row per person, every linked record's rows under it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from icp.records.engine import open_tables, to_arrow
from icp.records.persons import by_person
from icp.records.warehouse import Warehouse


def _warehouse(tmp_path: Path, *, linked: bool) -> Warehouse:
    warehouse = Warehouse(tmp_path / "warehouse")
    with warehouse.batch(kind="test", source="three sources") as batch:
        batch.write(
            "patient",
            pa.table(
                {
                    "patient_id": ["tr-9", "gp-1", "gp-2", "co-4"],
                    "person_id": ["gp-1" if linked else "tr-9", "gp-1", "gp-2", "gp-1" if linked else "co-4"],
                    "practice_code": [None, "NI-GP-101", "NI-GP-102", None],
                    "registered": [False, True, True, False],
                    "birth_date": [date(1940, 1, 1)] * 4,
                    "icp": ["NI-NOR-CA"] * 4,
                    "synthetic": [True] * 4,
                }
            ),
        )
        batch.write(
            "condition",
            pa.table(
                {
                    "condition_id": ["c1", "c2", "c3", "c4"],
                    "patient_id": ["gp-1", "tr-9", "gp-2", "co-4"],
                    "code": ["a", "b", "c", "d"],
                    "icp": ["NI-NOR-CA"] * 4,
                    "synthetic": [True] * 4,
                }
            ),
        )
    return warehouse


def test_linked_records_count_once_and_their_rows_follow_the_primary_record(tmp_path: Path) -> None:
    tables = by_person(open_tables(_warehouse(tmp_path, linked=True)))
    people = to_arrow(tables["patient"]).to_pylist()
    assert sorted(row["patient_id"] for row in people) == ["gp-1", "gp-2"]
    assert {row["patient_id"]: row["practice_code"] for row in people}["gp-1"] == "NI-GP-101"
    conditions = to_arrow(tables["condition"]).to_pylist()
    assert sorted((row["condition_id"], row["patient_id"]) for row in conditions) == [
        ("c1", "gp-1"),
        ("c2", "gp-1"),
        ("c3", "gp-2"),
        ("c4", "gp-1"),
    ]
    assert (
        to_arrow(tables["condition"]).schema
        == to_arrow(open_tables(_warehouse(tmp_path / "again", linked=True))["condition"]).schema
    )


def test_with_nothing_linked_the_tables_are_returned_as_they_are(tmp_path: Path) -> None:
    opened = open_tables(_warehouse(tmp_path, linked=False))
    tables = by_person(opened)
    assert all(tables[name] is opened[name] for name in opened)
    assert to_arrow(tables["patient"]).num_rows == 4

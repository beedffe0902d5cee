"""Reading one person's record from the warehouse: only behind an allowed decision, only that person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from icp.records.warehouse import Warehouse
from icp.sharing.policy import decide
from icp.sharing.record import count_rows, read_section
from icp.sharing.vocabulary import DataCategory, Purpose
from tests.sharing.conftest import World


def test_a_section_holds_only_that_persons_rows_newest_first(
    shared_world: World, warehouse: Warehouse
) -> None:
    alice = shared_world.patients["alice"]
    decision = decide(shared_world.users["gp"], alice, Purpose.DIRECT_CARE, DataCategory.CONDITIONS)
    rows = read_section(decision, alice, DataCategory.CONDITIONS)
    assert [r["condition_id"] for r in rows] == ["alice-c2", "alice-c1"]
    assert count_rows(decision, alice, DataCategory.CONDITIONS) == 2
    one = read_section(decision, alice, DataCategory.CONDITIONS, record_id="alice-c1")
    assert [r["display"] for r in one] == ["Chronic obstructive lung disease (alice)"]
    # Another person's record id is not found through Alice's decision.
    assert read_section(decision, alice, DataCategory.CONDITIONS, record_id="bob-c1") == []


def test_encounters_carry_their_diagnoses(shared_world: World, warehouse: Warehouse) -> None:
    alice = shared_world.patients["alice"]
    decision = decide(shared_world.users["gp"], alice, Purpose.DIRECT_CARE, DataCategory.ENCOUNTERS)
    (encounter,) = read_section(decision, alice, DataCategory.ENCOUNTERS)
    assert encounter["diagnoses"][0]["code"] == "J44.1"


def test_a_denied_or_mismatched_decision_reads_nothing(shared_world: World, warehouse: Warehouse) -> None:
    w = shared_world
    alice, bob = w.patients["alice"], w.patients["bob"]
    denied = decide(w.users["pharmacist"], alice, Purpose.DIRECT_CARE, DataCategory.MEDICATIONS)
    with pytest.raises(PermissionDenied):
        read_section(denied, alice, DataCategory.MEDICATIONS)
    allowed_for_alice = decide(w.users["gp"], alice, Purpose.DIRECT_CARE, DataCategory.MEDICATIONS)
    with pytest.raises(PermissionDenied):
        read_section(allowed_for_alice, bob, DataCategory.MEDICATIONS)
    with pytest.raises(PermissionDenied):
        read_section(allowed_for_alice, alice, DataCategory.CONDITIONS)


def test_an_empty_warehouse_gives_empty_sections(shared_world: World, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    alice = shared_world.patients["alice"]
    decision = decide(shared_world.users["gp"], alice, Purpose.DIRECT_CARE, DataCategory.OBSERVATIONS)
    assert read_section(decision, alice, DataCategory.OBSERVATIONS) == []


def _uncoded_entries(warehouse: Warehouse) -> None:
    """Alice's entries as a source sent them with text only (kept by ingest, uncoded)."""
    import pyarrow as pa

    provenance = {"icp": ["NI-NOR-CA"], "source": ["gp"], "batch_id": ["b"], "synthetic": [True]}
    with warehouse.batch(kind="test", source="uncoded") as batch:
        batch.write(
            "medication",
            pa.table(
                {
                    "medication_id": ["alice-m-text"],
                    "patient_id": ["pt-alice-0001"],
                    "display": ["Ibuprofen 400mg tablets (alice)"],
                    "kind": ["request"],
                    "status": ["active"],
                    **provenance,
                }
            ),
        )
        batch.write(
            "procedure",
            pa.table(
                {
                    "procedure_id": ["alice-pr-text"],
                    "patient_id": ["pt-alice-0001"],
                    "display": ["Dressing of leg ulcer (alice)"],
                    **provenance,
                }
            ),
        )


def test_uncoded_entries_are_read_like_any_other_and_procedures_sit_with_encounters(
    shared_world: World, warehouse: Warehouse
) -> None:
    _uncoded_entries(warehouse)
    alice = shared_world.patients["alice"]
    medicines = decide(shared_world.users["gp"], alice, Purpose.DIRECT_CARE, DataCategory.MEDICATIONS)
    uncoded = [row for row in read_section(medicines, alice, DataCategory.MEDICATIONS) if row["code"] is None]
    assert [row["display"] for row in uncoded] == ["Ibuprofen 400mg tablets (alice)"]
    encounters = decide(shared_world.users["gp"], alice, Purpose.DIRECT_CARE, DataCategory.ENCOUNTERS)
    procedures = read_section(encounters, alice, DataCategory.ENCOUNTERS, related=True)
    assert [(row["display"], row["code"]) for row in procedures] == [("Dressing of leg ulcer (alice)", None)]
    # The related table is read under the same decision, for that person only.
    with pytest.raises(PermissionDenied):
        read_section(medicines, alice, DataCategory.ENCOUNTERS, related=True)


def test_the_shared_care_record_page_shows_uncoded_entries_marked_not_coded(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    _uncoded_entries(warehouse)
    client.force_login(shared_world.users["gp"])
    page = client.get("/sharing/patients/pt-alice-0001/").content.decode()
    assert "Ibuprofen 400mg tablets (alice)" in page and "Dressing of leg ulcer (alice)" in page
    assert page.count("Not coded") == 2


def test_a_sections_newest_rows_and_its_total_come_in_one_read(
    shared_world: World, warehouse: Warehouse
) -> None:
    from icp.sharing.record import read_section_and_total

    alice = shared_world.patients["alice"]
    decision = decide(shared_world.users["gp"], alice, Purpose.DIRECT_CARE, DataCategory.CONDITIONS)
    rows, total = read_section_and_total(decision, alice, DataCategory.CONDITIONS, limit=1)
    assert [r["condition_id"] for r in rows] == ["alice-c2"] and total == 2
    assert read_section_and_total(decision, alice, DataCategory.CONDITIONS) == (
        read_section(decision, alice, DataCategory.CONDITIONS),
        count_rows(decision, alice, DataCategory.CONDITIONS),
    )
    denied = decide(shared_world.users["pharmacist"], alice, Purpose.DIRECT_CARE, DataCategory.MEDICATIONS)
    with pytest.raises(PermissionDenied):
        read_section_and_total(denied, alice, DataCategory.MEDICATIONS)

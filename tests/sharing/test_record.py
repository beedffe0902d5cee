"""Reading one person's record from the warehouse: only behind an allowed decision, only that person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

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

"""Linkage on a small seeded set with known truth: precise, complete, and better than numbers alone.

The same measure, on a larger set, is the benchmark (benchmarks/bench_linkage.py) whose figures
docs/linkage.md states.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from icp.records.linkage.evaluate import accuracy
from icp.records.linkage.exact import number_pairs
from icp.records.linkage.persons import Link, RecordFacts, Rule, cluster
from icp.records.linkage.prepare import linkage_records
from icp.records.linkage.run import Decisions, LinkResult, Thresholds, link, read_patients, write_person_ids
from icp.records.linkage.synthetic import LinkageSet, linkage_set
from icp.records.warehouse import Warehouse


@pytest.fixture(scope="module")
def seeded() -> tuple[LinkageSet, LinkResult]:
    data = linkage_set(600, seed=11)
    return data, link(data.patient, seed=42)


def test_at_the_default_threshold_precision_is_at_least_099_and_recall_095(
    seeded: tuple[LinkageSet, LinkResult],
) -> None:
    data, result = seeded
    measured = accuracy(result.persons.person_of, data.truth)
    assert measured.precision >= 0.99, measured
    assert measured.recall >= 0.95, measured
    assert result.model_card["trained"] is True


def test_it_finds_far_more_than_the_national_number_alone(seeded: tuple[LinkageSet, LinkResult]) -> None:
    data, result = seeded
    records = linkage_records(data.patient)
    facts = {pid: RecordFacts("source of " + pid, False, True) for pid in data.truth}
    by_number = cluster(facts, [Link(a, b, Rule.NUMBER) for a, b in number_pairs(records)]).person_of
    assert accuracy(by_number, data.truth).recall < 0.9
    assert accuracy(result.persons.person_of, data.truth).recall > accuracy(by_number, data.truth).recall
    assert result.links_by_rule[Rule.NUMBER] > 0 and result.links_by_rule[Rule.MODEL] > 0


def test_pairs_between_the_thresholds_wait_for_review_and_are_not_linked(
    seeded: tuple[LinkageSet, LinkResult],
) -> None:
    _data, result = seeded
    assert result.review, "a set with these errors leaves some pairs for a person to decide"
    for pair in result.review:
        assert result.persons.person_of[pair.left] != result.persons.person_of[pair.right]
        assert pair.reason


def test_reviewers_decisions_are_obeyed_by_the_next_run(seeded: tuple[LinkageSet, LinkResult]) -> None:
    data, result = seeded
    waiting = result.review[0]
    linked = next(pid for pid, person in result.persons.person_of.items() if person != pid)
    person = result.persons.person_of[linked]
    again = link(
        data.patient,
        decisions=Decisions.of(same=[(waiting.left, waiting.right)], apart=[(linked, person)]),
    )
    assert again.persons.person_of[waiting.left] == again.persons.person_of[waiting.right]
    assert again.persons.person_of[linked] != again.persons.person_of[person]
    assert again.links_by_rule[Rule.REVIEWER] == 1


def test_a_number_on_the_wrong_person_goes_to_review_not_to_a_link() -> None:
    data = linkage_set(400, seed=5)
    rows = data.patient.to_pylist()
    gp = [row for row in rows if row["source"] == "gp"]
    # The trust keys a stranger's number into a record of someone else entirely.
    wrong = dict(
        gp[1],
        patient_id="TR-WRONG",
        source="trust",
        registered=False,
        practice_code=None,
        national_id=gp[0]["national_id"],
        given_name="Zebedee",
        family_name="Quinlan-Smythe",
        birth_date=dt.date(2001, 12, 30),
    )
    patient = pa.Table.from_pylist([*rows, wrong], schema=data.patient.schema)
    result = link(patient)
    assert result.persons.person_of["TR-WRONG"] == "TR-WRONG"
    assert any({pair.left, pair.right} == {"TR-WRONG", gp[0]["patient_id"]} for pair in result.review)


def test_too_little_to_train_on_links_by_number_only() -> None:
    data = linkage_set(200, seed=2)
    rows = data.patient.to_pylist()
    # The practice's list and three of the trust's records: too few duplicates to learn from.
    few = [row for row in rows if row["source"] == "gp"] + [row for row in rows if row["source"] == "trust"][
        :3
    ]
    result = link(pa.Table.from_pylist(few, schema=data.patient.schema))
    assert result.model_card["trained"] is False
    assert "too few" in result.model_card["reason"]
    assert set(result.links_by_rule) <= {Rule.NUMBER}


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="review"):
        Thresholds(link=0.5, review=0.9)


def test_person_ids_are_written_to_the_warehouse_in_one_commit(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    data = linkage_set(300, seed=4)
    with warehouse.batch(kind="ingest", source="four sources") as batch:
        batch.write("patient", data.patient)
    before = read_patients(warehouse, "NI-NOR-CA")
    assert before.column("person_id").to_pylist() == before.column("patient_id").to_pylist()
    result = link(before)
    write_person_ids(warehouse, "NI-NOR-CA", result.persons.person_of, detail={"test": True})
    after = read_patients(warehouse, "NI-NOR-CA")
    assert (
        dict(zip(after.column("patient_id").to_pylist(), after.column("person_id").to_pylist(), strict=True))
        == result.persons.person_of
    )
    assert "link" in set(warehouse.batches().column("kind").to_pylist())

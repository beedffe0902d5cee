"""Linkage in the app: `run_linkage` fills the patient index and the review queue; an IG lead
links, keeps apart and splits, each audited and written to the warehouse; anyone else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icp.audit.models import AuditEvent
from icp.patients.linkage import keep_apart, link_pair, run_linkage, split_record
from icp.patients.models import LinkReview, LinkStatus, PatientIndex
from icp.patients.sync import sync_patient_index
from icp.records.linkage.synthetic import linkage_set
from icp.records.warehouse import Warehouse
from tests.sharing.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(tmp_path: Path, world: World) -> Warehouse:
    warehouse = Warehouse(tmp_path / "warehouse")
    with warehouse.batch(kind="ingest", source="four sources (synthetic)") as batch:
        batch.write("patient", linkage_set(300, seed=8).patient)
    sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    run_linkage(area="NI-NOR-CA", warehouse=warehouse)
    return warehouse


def _warehouse_persons(warehouse: Warehouse) -> dict[str, str]:
    rows = warehouse.read_arrow("patient", ["NI-NOR-CA"], columns=["patient_id", "person_id"]).to_pylist()
    return {row["patient_id"]: row["person_id"] for row in rows}


def test_a_run_gives_the_index_the_warehouses_persons_and_queues_the_uncertain_pairs(
    linked: Warehouse,
) -> None:
    in_warehouse = _warehouse_persons(linked)
    in_index = dict(
        PatientIndex.objects.filter(patient_id__in=list(in_warehouse)).values_list("patient_id", "person_id")
    )
    assert in_index == in_warehouse
    assert len(set(in_warehouse.values())) < len(in_warehouse)  # some records were linked
    waiting = LinkReview.objects.filter(status=LinkStatus.WAITING)
    assert waiting.exists()
    assert all(review.left.person != review.right.person for review in waiting)
    event = AuditEvent.objects.get(action="linkage.run")
    assert event.detail["persons"] == len(set(in_warehouse.values()))


def test_linking_a_pair_joins_the_persons_in_the_index_and_the_warehouse(
    linked: Warehouse, world: World
) -> None:
    review = LinkReview.objects.filter(status=LinkStatus.WAITING).first()
    assert review is not None
    link_pair(review=review, by=world.users["iglead"], warehouse=linked)
    left, right = (PatientIndex.objects.get(pk=pk) for pk in (review.left_id, review.right_id))
    assert left.person == right.person
    persons = _warehouse_persons(linked)
    assert persons[left.patient_id] == persons[right.patient_id] == left.person
    review.refresh_from_db()
    assert review.status == LinkStatus.LINKED and review.decided_by == world.users["iglead"]
    assert AuditEvent.objects.filter(action="linkage.link", outcome="success").count() == 1


def test_decisions_survive_the_next_run(linked: Warehouse, world: World) -> None:
    first = LinkReview.objects.filter(status=LinkStatus.WAITING).first()
    assert first is not None
    link_pair(review=first, by=world.users["iglead"], warehouse=linked)
    second = next(
        review
        for review in LinkReview.objects.filter(status=LinkStatus.WAITING)
        if PatientIndex.objects.get(pk=review.left_id).person
        != PatientIndex.objects.get(pk=review.right_id).person
    )
    keep_apart(review=second, by=world.users["iglead"])
    run_linkage(area="NI-NOR-CA", warehouse=linked)
    persons = _warehouse_persons(linked)
    assert persons[first.left.patient_id] == persons[first.right.patient_id]
    assert persons[second.left.patient_id] != persons[second.right.patient_id]
    assert not LinkReview.objects.filter(pk=second.pk, status=LinkStatus.WAITING).exists()


def test_splitting_a_record_off_undoes_a_wrong_link_for_good(linked: Warehouse, world: World) -> None:
    linked_record = (
        PatientIndex.objects.exclude(person_id="").exclude(person_id=models_f("patient_id")).first()
    )
    assert linked_record is not None
    person = linked_record.person
    split_record(patient=linked_record, by=world.users["iglead"], warehouse=linked)
    linked_record.refresh_from_db()
    assert linked_record.person == linked_record.patient_id
    assert _warehouse_persons(linked)[linked_record.patient_id] == linked_record.patient_id
    assert LinkReview.objects.filter(status=LinkStatus.APART).exists()
    run_linkage(area="NI-NOR-CA", warehouse=linked)
    assert _warehouse_persons(linked)[linked_record.patient_id] != person
    assert AuditEvent.objects.filter(action="linkage.split").count() == 1
    with pytest.raises(ValidationError):
        split_record(
            patient=PatientIndex.objects.get(pk=linked_record.pk), by=world.users["iglead"], warehouse=linked
        )


def test_only_an_ig_lead_of_the_icp_may_decide(linked: Warehouse, world: World) -> None:
    review = LinkReview.objects.filter(status=LinkStatus.WAITING).first()
    assert review is not None
    for name in ("gp", "analyst", "other_gp"):
        with pytest.raises(PermissionDenied):
            link_pair(review=review, by=world.users[name], warehouse=linked)
    assert AuditEvent.objects.filter(action="linkage.link", outcome="denied").count() == 3
    review.refresh_from_db()
    assert review.status == LinkStatus.WAITING


def models_f(name: str) -> object:
    from django.db.models import F

    return F(name)

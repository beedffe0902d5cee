"""The patients actions: care relationships are opened and closed only here, checked and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.patients.actions import Source, close_relationship, close_relationships_from, open_relationship
from icp.patients.models import CareRelationship, RelationshipKind
from tests.sharing.conftest import World

SOURCE = Source("care.careteammember", "41")


def test_opening_a_relationship_records_it_with_its_source_and_audits_it(world: World) -> None:
    relationship = open_relationship(
        patient=world.patients["alice"],
        kind=RelationshipKind.CARE_TEAM,
        source=SOURCE,
        organisation=world.orgs["pharmacy"],
        label="community pharmacist",
        by=world.users["gp"],
    )
    assert (relationship.source_type, relationship.source_id) == ("care.careteammember", "41")
    assert (relationship.starts, relationship.ends) == (timezone.localdate(), None)
    event = AuditEvent.objects.filter(action="care_relationship.open").get()
    assert (event.outcome, event.patient_ref, event.actor_username) == ("success", "pt-alice-0001", "gp")
    assert event.detail["kind"] == "care_team" and event.detail["organisation"] == "T-PH1"
    assert event.detail["source"] == "care.careteammember:41"


def test_a_saved_record_names_itself_as_the_source(world: World) -> None:
    relationship = open_relationship(
        patient=world.patients["alice"],
        kind=RelationshipKind.PATHWAY_ENROLMENT,
        source=world.orgs["trust"],  # any saved row names itself by label and primary key
        organisation=world.orgs["trust"],
        by=world.users["gp"],
    )
    assert relationship.source_type == "partnership.organisation"
    assert relationship.source_id == str(world.orgs["trust"].pk)


def test_the_registered_practice_is_never_stored(world: World) -> None:
    with pytest.raises(ValidationError, match="registered practice is read from the index"):
        open_relationship(
            patient=world.patients["alice"],
            kind=RelationshipKind.REGISTERED_PRACTICE,
            source=SOURCE,
            organisation=world.orgs["practice_a"],
            by=world.users["gp"],
        )
    assert not CareRelationship.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organisation": None}, "organisation"),
        ({"user": "pharmacist"}, "user"),
        ({"source": Source("", "")}, "source"),
        ({"ends": -1}, "ends"),
        ({"kind": "friendship"}, "kind"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world: World, changes: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {
        "patient": world.patients["alice"],
        "kind": RelationshipKind.CARE_TEAM,
        "source": SOURCE,
        "organisation": world.orgs["trust"],
        "by": world.users["gp"],
    }
    if changes.get("user"):
        changes = {"user": world.users[str(changes["user"])]}  # a pharmacist does not work for the trust
    if changes.get("ends") == -1:
        changes = {"ends": timezone.localdate() - timedelta(days=1)}
    arguments.update(changes)
    with pytest.raises(ValidationError) as raised:
        open_relationship(**arguments)  # type: ignore[arg-type]
    assert field in raised.value.message_dict


def test_only_someone_working_in_the_persons_icp_may_open_or_close_one(world: World) -> None:
    carol = world.patients["carol"]  # in the other ICP
    for user in (world.users["gp"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            open_relationship(
                patient=carol,
                kind=RelationshipKind.CARE_TEAM,
                source=SOURCE,
                organisation=world.orgs["other_practice"],
                by=user,  # type: ignore[arg-type]
            )
    denied = AuditEvent.objects.filter(action="care_relationship.open", outcome="denied")
    assert denied.count() == 2 and set(denied.values_list("patient_ref", flat=True)) == {"pt-carol-0003"}
    relationship = open_relationship(
        patient=world.patients["alice"],
        kind=RelationshipKind.REFERRAL,
        source=SOURCE,
        organisation=world.orgs["voluntary"],
        by=world.users["gp"],
    )
    with pytest.raises(PermissionDenied):
        close_relationship(relationship=relationship, by=world.users["other_gp"])
    relationship.refresh_from_db()
    assert relationship.ends is None


def test_closing_ends_it_once_and_the_first_end_stands(world: World) -> None:
    today = timezone.localdate()
    relationship = open_relationship(
        patient=world.patients["alice"],
        kind=RelationshipKind.REFERRAL,
        source=SOURCE,
        organisation=world.orgs["voluntary"],
        starts=today - timedelta(days=5),
        by=world.users["gp"],
    )
    close_relationship(relationship=relationship, by=world.users["gp"], ends=today - timedelta(days=1))
    close_relationship(relationship=relationship, by=world.users["gp"])
    relationship.refresh_from_db()
    assert relationship.ends == today - timedelta(days=1)
    assert AuditEvent.objects.filter(action="care_relationship.close").count() == 1


def test_closing_before_the_start_leaves_a_relationship_that_held_on_no_day(world: World) -> None:
    today = timezone.localdate()
    relationship = open_relationship(
        patient=world.patients["alice"],
        kind=RelationshipKind.REFERRAL,
        source=SOURCE,
        organisation=world.orgs["voluntary"],
        by=world.users["gp"],
    )
    close_relationship(relationship=relationship, by=world.users["gp"], ends=today - timedelta(days=3))
    relationship.refresh_from_db()
    assert relationship.ends == relationship.starts == today
    assert not CareRelationship.objects.current(today).exists()


def test_closing_by_source_closes_every_relationship_the_record_made(world: World) -> None:
    for organisation in ("trust", "practice_a"):
        open_relationship(
            patient=world.patients["alice"],
            kind=RelationshipKind.MDT_LIST,
            source=Source("care.mdtlistentry", "3"),
            organisation=world.orgs[organisation],
            label="Frailty MDT (synthetic)",
            by=world.users["gp"],
        )
    other = open_relationship(
        patient=world.patients["alice"],
        kind=RelationshipKind.MDT_LIST,
        source=Source("care.mdtlistentry", "4"),
        organisation=world.orgs["trust"],
        by=world.users["gp"],
    )
    closed = close_relationships_from(source=Source("care.mdtlistentry", "3"), by=world.users["gp"])
    assert len(closed) == 2 and {row.ends for row in closed} == {timezone.localdate()}
    other.refresh_from_db()
    assert other.ends is None

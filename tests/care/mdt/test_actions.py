"""MDT meetings: case list, attendance, discussion and outcome, actions carried to the next meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care.mdt.actions import (
    add_action,
    add_case,
    complete_action,
    list_for_mdt,
    record_attendance,
    record_discussion,
    schedule_meeting,
)
from icp.care.mdt.models import CaseSource, MdtCase
from icp.care.models import MdtList, MdtListEntry
from icp.patients.models import CareRelationship, RelationshipKind
from icp.sharing.policy import decide
from icp.sharing.vocabulary import Purpose
from tests.sharing.conftest import World


def test_a_meeting_from_case_list_to_actions_carried_forward(shared_world: World, mdt: MdtList) -> None:
    w = shared_world
    gp, nurse_at_trust = w.users["gp"], w.users["trust"]
    now = timezone.now()
    first = schedule_meeting(
        mdt_list=mdt,
        starts_at=now + timedelta(days=1),
        by=gp,
        virtual_link="https://meet.example.org/frailty",
    )
    case = add_case(meeting=first, patient=w.patients["alice"], by=gp, source=CaseSource.WORKLIST)
    # Listing opens a relationship for every member organisation: the volunteers may now coordinate.
    assert (
        CareRelationship.objects.filter(kind=RelationshipKind.MDT_LIST, patient=w.patients["alice"]).count()
        == 3
    )
    assert decide(w.users["voluntary"], w.patients["alice"], Purpose.CARE_COORDINATION).allowed
    record_attendance(
        meeting=first, name="A GP (synthetic)", organisation=w.orgs["practice_a"], role="GP", by=gp
    )
    record_attendance(
        meeting=first, name="A nurse (synthetic)", organisation=w.orgs["trust"], virtual=True, by=gp
    )
    record_discussion(
        case=case,
        discussion="Two falls; lives alone",
        outcome="Falls service and befriending",
        by=nurse_at_trust,
    )
    due = timezone.localdate() + timedelta(days=14)
    done = add_action(
        case=case, description="Refer to falls service", owner_organisation=w.orgs["trust"], due_on=due, by=gp
    )
    still_open = add_action(
        case=case, description="Befriending visit", owner_organisation=w.orgs["voluntary"], due_on=due, by=gp
    )
    complete_action(action=done, by=w.users["trust"])

    second = schedule_meeting(
        mdt_list=mdt, starts_at=now + timedelta(days=29), by=gp, location="Health centre room 2"
    )
    [carried] = second.cases.all()
    assert carried.source == CaseSource.CARRIED and carried.carried_from == case
    assert list(carried.actions.all()) == [still_open]
    still_open.refresh_from_db()
    assert still_open.raised_in == case  # where it was agreed is kept
    assert first.attendance.filter(virtual=True).count() == 1
    assert {
        "mdt_meeting.schedule",
        "mdt_case.add",
        "mdt_case.discuss",
        "mdt_action.add",
        "mdt_action.complete",
    } <= set(AuditEvent.objects.values_list("action", flat=True))


def test_only_members_act_and_refusals_are_audited(shared_world: World, mdt: MdtList) -> None:
    w = shared_world
    meeting = schedule_meeting(mdt_list=mdt, starts_at=timezone.now(), by=w.users["gp"], location="Room 1")
    with pytest.raises(PermissionDenied):
        add_case(meeting=meeting, patient=w.patients["alice"], by=w.users["pharmacist"])
    with pytest.raises(PermissionDenied):  # practice B is no member
        schedule_meeting(mdt_list=mdt, starts_at=timezone.now(), by=w.users["gp_b"], location="x")
    with pytest.raises(PermissionDenied):  # a member, but no relationship with Bob
        add_case(meeting=meeting, patient=w.patients["bob"], by=w.users["gp"])
    with pytest.raises(ValidationError):
        schedule_meeting(mdt_list=mdt, starts_at=timezone.now(), by=w.users["gp"])
    assert AuditEvent.objects.filter(action="mdt_case.add", outcome="denied").exists()


def test_list_for_mdt_goes_to_the_next_meeting_or_the_list(shared_world: World, mdt: MdtList) -> None:
    w = shared_world
    entry = list_for_mdt(mdt_list=mdt, patient=w.patients["alice"], by=w.users["gp"])
    assert isinstance(entry, MdtListEntry)
    meeting = schedule_meeting(
        mdt_list=mdt, starts_at=timezone.now() + timedelta(days=7), by=w.users["gp"], location="x"
    )
    case = list_for_mdt(mdt_list=mdt, patient=w.patients["alice"], by=w.users["gp"])
    assert isinstance(case, MdtCase) and case.meeting == meeting
    assert MdtListEntry.objects.filter(mdt_list=mdt, patient=w.patients["alice"]).count() == 1

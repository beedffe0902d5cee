"""The care actions: care team, referrals and MDT lists change a person's care relationships.

Each care record opens (and on closing, closes) `patients.CareRelationship` rows, which is what the
access decision reads; a user without a relationship of their own cannot change anyone's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care import actions
from icp.care.models import MdtListEntry
from icp.care.referrals.actions import move_referral
from icp.patients.models import CareRelationship, RelationshipKind
from tests.care.referrals.conftest import accepted_referral
from tests.sharing.conftest import World


def test_care_relationships_are_changed_only_by_someone_with_one(shared_world: World) -> None:
    w = shared_world
    alice = w.patients["alice"]
    with pytest.raises(PermissionDenied):
        actions.add_care_team_member(patient=alice, organisation=w.orgs["pharmacy"], by=w.users["pharmacist"])
    member = actions.add_care_team_member(patient=alice, organisation=w.orgs["pharmacy"], by=w.users["gp"])
    actions.end_care_team_membership(member=member, by=w.users["pharmacist"], end_date=timezone.localdate())
    referral = accepted_referral(w, "alice", "voluntary")
    with pytest.raises(PermissionDenied):
        move_referral(referral=referral, to_status="completed", by=w.users["pharmacist"])
    move_referral(referral=referral, to_status="completed", by=w.users["voluntary"])
    mdt = actions.create_mdt_list(
        icp=w.icp,
        name="Falls MDT (synthetic)",
        members=[w.orgs["trust"], w.orgs["practice_a"]],
        by=w.users["manager"],
    )
    with pytest.raises(PermissionDenied):
        actions.add_to_mdt_list(mdt_list=mdt, patient=alice, by=w.users["pharmacist"])
    entry = actions.add_to_mdt_list(mdt_list=mdt, patient=alice, by=w.users["gp"])
    assert MdtListEntry.objects.filter(mdt_list=mdt, patient=alice).exists()
    with pytest.raises(PermissionDenied):
        actions.remove_from_mdt_list(entry=entry, by=w.users["pharmacist"])
    actions.remove_from_mdt_list(entry=entry, by=w.users["socialworker"])
    changes = {
        "care_team.add",
        "care_team.end",
        "referral.create",
        "referral.move",
        "mdt_list.create",
        "mdt_list.add",
        "mdt_list.remove",
        "care_relationship.open",
        "care_relationship.close",
    }
    assert changes <= set(AuditEvent.objects.filter(outcome="success").values_list("action", flat=True))


def test_each_care_record_opens_and_closes_its_relationships(shared_world: World) -> None:
    w = shared_world
    alice, gp, today = w.patients["alice"], w.users["gp"], timezone.localdate()
    member = actions.add_care_team_member(
        patient=alice, organisation=w.orgs["trust"], user=w.users["trust"], role="district nurse", by=gp
    )
    team = CareRelationship.objects.get(source_type="care.careteammember", source_id=str(member.pk))
    assert (team.kind, team.organisation, team.user, team.label, team.starts, team.ends) == (
        RelationshipKind.CARE_TEAM,
        w.orgs["trust"],
        w.users["trust"],
        "district nurse",
        today,
        None,
    )
    actions.end_care_team_membership(member=member, by=gp, end_date=today)
    team.refresh_from_db()
    assert team.ends == today + timedelta(days=1)  # the last day in the team still counts

    referral = accepted_referral(w, "alice", "voluntary")
    referred = CareRelationship.objects.get(source_type="care.referral", source_id=str(referral.pk))
    assert (referred.kind, referred.organisation, referred.ends) == (
        RelationshipKind.REFERRAL,
        w.orgs["voluntary"],
        None,
    )
    move_referral(referral=referral, to_status="cancelled", by=gp)
    referred.refresh_from_db()
    assert referred.ends == today

    mdt = actions.create_mdt_list(
        icp=w.icp,
        name="Frailty MDT (synthetic)",
        members=[w.orgs["trust"], w.orgs["practice_a"]],
        by=w.governor,
    )
    entry = actions.add_to_mdt_list(mdt_list=mdt, patient=alice, by=gp)
    listed = CareRelationship.objects.filter(source_type="care.mdtlistentry", source_id=str(entry.pk))
    assert sorted(listed.values_list("organisation__code", flat=True)) == sorted(
        [w.orgs["trust"].code, w.orgs["practice_a"].code]
    )
    assert set(listed.values_list("label", flat=True)) == {"Frailty MDT (synthetic)"}
    actions.remove_from_mdt_list(entry=entry, by=gp)
    assert set(listed.values_list("ends", flat=True)) == {today}


def test_a_refused_change_opens_no_relationship(shared_world: World) -> None:
    w = shared_world
    with pytest.raises(PermissionDenied):
        actions.add_care_team_member(
            patient=w.patients["alice"], organisation=w.orgs["pharmacy"], by=w.users["pharmacist"]
        )
    assert not CareRelationship.objects.exists()
    assert AuditEvent.objects.filter(action="care_team.add", outcome="denied").exists()

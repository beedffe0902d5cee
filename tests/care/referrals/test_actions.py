"""Referral actions: every allowed and every refused Task move, for each party and every role.

Set-up puts a fresh referral in each status; the move itself always goes through `move_referral`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icp.audit.models import AuditEvent
from icp.care.referrals.actions import (
    IllegalMove,
    VersionConflict,
    cancel_referrals_for_death,
    create_referral,
    move_referral,
    reroute_referral,
)
from icp.care.referrals.models import Referral, Service
from icp.care.referrals.states import FINAL, MOVES, Party, TaskStatus
from icp.partnership.models import User
from icp.partnership.roles import UserRole
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import Purpose
from tests.care.referrals.conftest import ALL_ROLES
from tests.sharing.conftest import World

S = TaskStatus
CARE_ROLES = {r for r in ALL_ROLES if purposes_for(r) & {Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION}}


def _acting(world: World, party: Party) -> User:
    return world.users["gp"] if party == Party.REQUESTER else world.users["voluntary"]


@pytest.mark.parametrize("party", list(Party))
def test_every_move_in_the_table_is_allowed_and_every_other_refused_with_422(
    shared_world: World, make_referral: Callable[..., Referral], party: Party
) -> None:
    wrong: list[str] = []
    for source in TaskStatus:
        if party == Party.OWNER and source == S.DRAFT:
            continue  # the owner cannot see a draft at all (tested below)
        for target in TaskStatus:
            referral = make_referral(source)
            allowed = (source, target, party) in MOVES
            try:
                move_referral(
                    referral=referral,
                    to_status=target,
                    by=_acting(shared_world, party),
                    reason="Not the right service for this need (synthetic)",
                    output="Seen twice; shopping arranged weekly (synthetic)",
                )
                moved = True
            except IllegalMove:
                moved = False
            referral.refresh_from_db()
            if moved != allowed or referral.status != (target if allowed else source):
                wrong.append(f"{party}: {source} -> {target}: moved={moved}, status={referral.status}")
    assert wrong == []


def test_the_owner_cannot_see_or_move_a_draft(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    draft = make_referral(S.DRAFT)
    with pytest.raises(PermissionDenied):
        move_referral(referral=draft, to_status=S.ACCEPTED, by=shared_world.users["voluntary"])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_on_each_side_and_in_a_third_organisation(
    make_referral: Callable[..., Referral], user_in: Callable[[str, str], User], role: str
) -> None:
    """Care roles of the requester and owner move as the table says; other roles, and every role of
    an organisation party to neither, get 403."""
    cases = [
        ("practice_a", S.REQUESTED, S.CANCELLED),  # a requester's move
        ("voluntary", S.REQUESTED, S.ACCEPTED),  # an owner's move
        ("pharmacy", S.REQUESTED, S.ACCEPTED),  # party to neither
    ]
    for org, source, target in cases:
        referral = make_referral(source)
        user = user_in(role, org)
        if org != "pharmacy" and role in CARE_ROLES:
            move_referral(referral=referral, to_status=target, by=user)
            referral.refresh_from_db()
            assert referral.status == target, (org, role)
        else:
            with pytest.raises(PermissionDenied):
                move_referral(referral=referral, to_status=target, by=user)
            referral.refresh_from_db()
            assert referral.status == source, (org, role)


def test_rejecting_needs_a_reason(shared_world: World, make_referral: Callable[..., Referral]) -> None:
    referral = make_referral(S.REQUESTED)
    with pytest.raises(ValidationError) as refused:
        move_referral(referral=referral, to_status=S.REJECTED, by=shared_world.users["voluntary"])
    assert "reason" in refused.value.message_dict
    move_referral(
        referral=referral, to_status=S.REJECTED, by=shared_world.users["voluntary"], reason="Outside our area"
    )
    assert referral.status == S.REJECTED and referral.status_reason == "Outside our area"


def test_completing_returns_an_optional_outcome_and_stamps_the_clocks(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    owner = shared_world.users["voluntary"]
    assert referral.requested_at is not None and referral.accepted_at is None
    move_referral(referral=referral, to_status=S.ACCEPTED, by=owner)
    move_referral(referral=referral, to_status=S.COMPLETED, by=owner, output="Weekly shopping arranged")
    referral.refresh_from_db()
    assert referral.output == "Weekly shopping arranged"
    assert referral.requested_at <= referral.accepted_at <= referral.ended_at  # type: ignore[operator]
    assert referral.version == 3
    other = make_referral(S.ACCEPTED)
    move_referral(referral=other, to_status=S.COMPLETED, by=owner)  # no outcome: allowed
    assert other.status == S.COMPLETED and other.output == ""


def test_a_stale_version_is_refused(shared_world: World, make_referral: Callable[..., Referral]) -> None:
    referral = make_referral(S.REQUESTED)
    with pytest.raises(VersionConflict):
        move_referral(
            referral=referral, to_status=S.ACCEPTED, by=shared_world.users["voluntary"], expected_version=99
        )
    move_referral(
        referral=referral,
        to_status=S.ACCEPTED,
        by=shared_world.users["voluntary"],
        expected_version=referral.version,
    )
    assert referral.status == S.ACCEPTED


def test_every_move_and_refusal_is_audited(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    with pytest.raises(IllegalMove):
        move_referral(referral=referral, to_status=S.ACCEPTED, by=shared_world.users["gp"])
    with pytest.raises(PermissionDenied):
        move_referral(referral=referral, to_status=S.ACCEPTED, by=shared_world.users["pharmacist"])
    move_referral(referral=referral, to_status=S.ACCEPTED, by=shared_world.users["voluntary"])
    events = list(
        AuditEvent.objects.filter(target_id=referral.public_id).values_list(
            "action", "outcome", "actor_username"
        )
    )
    # Each move first asks the access decision (its referral basis), as every care action does.
    assert events == [
        ("referral.create", "success", "gp"),
        ("care.access", "allowed", "gp"),
        ("referral.move", "denied", "gp"),  # a party, asking for a move the table gives the owner
        ("care.access", "denied", "pharmacist"),  # party to neither: the decision refuses
        ("care.access", "allowed", "voluntary"),
        ("referral.move", "success", "voluntary"),
    ]
    refusal = AuditEvent.objects.get(target_id=referral.public_id, actor_username="pharmacist")
    assert refusal.detail["code"] == "not-referral-party" and refusal.detail["referral"] == referral.public_id
    assert all(
        e.patient_ref == "pt-alice-0001" for e in AuditEvent.objects.filter(target_id=referral.public_id)
    )


def test_referring_needs_a_relationship_with_the_person(shared_world: World, service: Service) -> None:
    with pytest.raises(PermissionDenied):
        create_referral(
            patient=shared_world.patients["bob"],  # registered at practice B
            service=service,
            reason="synthetic",
            by=shared_world.users["gp"],
        )
    with pytest.raises(ValidationError) as refused:
        create_referral(
            patient=shared_world.patients["alice"], service=service, reason=" ", by=shared_world.users["gp"]
        )
    assert "reason" in refused.value.message_dict


def test_a_rejected_referral_is_rerouted_to_another_service(
    shared_world: World, make_referral: Callable[..., Referral], other_service: Service
) -> None:
    referral = make_referral(S.REJECTED)
    with pytest.raises(PermissionDenied):
        reroute_referral(referral=referral, to_service=other_service, by=shared_world.users["voluntary"])
    new = reroute_referral(referral=referral, to_service=other_service, by=shared_world.users["gp"])
    assert new.status == S.REQUESTED and new.replaces == referral
    assert new.owner_organisation == shared_world.orgs["trust"] and new.reason == referral.reason
    with pytest.raises(IllegalMove):
        reroute_referral(referral=referral, to_service=other_service, by=shared_world.users["gp"])
    with pytest.raises(IllegalMove):
        reroute_referral(referral=new, to_service=other_service, by=shared_world.users["gp"])


def test_a_death_cancels_every_open_referral_with_that_reason(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referrals = {status: make_referral(status) for status in TaskStatus}
    cancelled = cancel_referrals_for_death(
        patient=shared_world.patients["alice"], by=shared_world.users["gp"]
    )
    assert {r.public_id for r in cancelled} == {
        r.public_id for status, r in referrals.items() if status not in FINAL
    }
    for status, referral in referrals.items():
        referral.refresh_from_db()
        if status in FINAL:
            assert referral.status == status
        else:
            assert referral.status == S.CANCELLED and referral.status_reason == "The person has died."


def test_roles_without_care_work_cannot_refer(
    shared_world: World, service: Service, user_in: Callable[[str, str], User]
) -> None:
    manager = user_in(UserRole.ICP_MANAGER, "practice_a")
    with pytest.raises(PermissionDenied):
        create_referral(patient=shared_world.patients["alice"], service=service, reason="x", by=manager)

"""The referral tests' world: the sharing world with a voluntary organisation's service.

`practice_a` (users `gp`, `nurse`) refers; `voluntary` (user `voluntary`) owns; `pharmacy` is party
to nothing. `make_referral(status)` puts a fresh referral of Alice in any status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from icp.care.referrals.actions import create_referral
from icp.care.referrals.models import Referral, Service, ServiceType
from icp.care.referrals.states import TaskStatus
from icp.partnership.models import Organisation, User
from icp.partnership.roles import UserRole
from tests.sharing.conftest import World, shared_world, world

__all__ = ["shared_world", "world"]


@pytest.fixture
def service(shared_world: World) -> Service:
    service = Service.objects.create(
        organisation=shared_world.orgs["voluntary"],
        name="Befriending and practical support (synthetic)",
        type=ServiceType.VOLUNTARY_SUPPORT,
        eligibility="Adults in the ICP who are lonely or need practical help at home",
        needs=["loneliness", "food"],
        response_days=3,
        completion_days=28,
    )
    service.areas.add(shared_world.icp)
    return service


@pytest.fixture
def other_service(shared_world: World) -> Service:
    return Service.objects.create(
        organisation=shared_world.orgs["trust"],
        name="Community falls service (synthetic)",
        type=ServiceType.FALLS,
        eligibility="People aged 65 or over who have fallen",
        needs=["mobility"],
    )


@pytest.fixture
def make_referral(shared_world: World, service: Service) -> Callable[..., Referral]:
    def make(status: str = TaskStatus.REQUESTED, **extra: Any) -> Referral:
        referral = create_referral(
            patient=shared_world.patients["alice"],
            service=service,
            reason="Lives alone, struggling with shopping since a fall (synthetic)",
            by=shared_world.users["gp"],
            submit=status != TaskStatus.DRAFT,
            **extra,
        )
        if status not in (TaskStatus.DRAFT, TaskStatus.REQUESTED):
            # Test set-up only: put the row straight into the status under test.
            Referral.objects.filter(pk=referral.pk).update(status=str(status))
            referral.refresh_from_db()
        return referral

    return make


@pytest.fixture
def user_in(shared_world: World) -> Callable[[str, str], User]:
    """A new user of a role in one of the world's organisations."""
    counter = {"n": 0}

    def make(role: str, org: str) -> User:
        counter["n"] += 1
        organisation: Organisation = shared_world.orgs[org]
        return User.objects.create_user(
            username=f"{org}-{role}-{counter['n']}",
            password="correct-horse-battery",
            role=role,
            organisation=organisation,
            home_area=shared_world.icp,
        )

    return make


ALL_ROLES = list(UserRole.values)


# Who accepts a referral for each of the world's receiving organisations.
OWNER_USERS = {"voluntary": "voluntary", "trust": "trust", "pharmacy": "pharmacist"}


def accepted_referral(world: World, patient: str, to: str, by: str = "gp") -> Referral:
    """A referral of `patient` to organisation `to`, made by user `by` and accepted by `to`.

    An accepted referral is what gives the receiving organisation a relationship with the person.
    """
    from icp.care.referrals.actions import move_referral

    service, _ = Service.objects.get_or_create(
        organisation=world.orgs[to],
        name=f"Befriending at {world.orgs[to].name}",
        defaults={
            "type": ServiceType.VOLUNTARY_SUPPORT,
            "eligibility": "Adults (synthetic)",
            "needs": ["loneliness"],
        },
    )
    referral = create_referral(
        patient=world.patients[patient], service=service, reason="Lonely (synthetic)", by=world.users[by]
    )
    return move_referral(referral=referral, to_status=TaskStatus.ACCEPTED, by=world.users[OWNER_USERS[to]])

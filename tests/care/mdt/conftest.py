"""The MDT tests' world: the sharing world with a frailty MDT of practice A, the trust and the volunteers."""

from __future__ import annotations

import pytest

from icp.care import actions
from icp.care.models import MdtList
from tests.sharing.conftest import World, shared_world, world

__all__ = ["shared_world", "world"]


@pytest.fixture
def mdt(shared_world: World) -> MdtList:
    w = shared_world
    return actions.create_mdt_list(
        icp=w.icp,
        name="Frailty MDT (synthetic)",
        members=[w.orgs["practice_a"], w.orgs["trust"], w.orgs["voluntary"]],
        by=w.users["manager"],
    )

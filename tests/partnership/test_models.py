"""The partnership's models: the one answer to "which ICP does this user work for?"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from icp.partnership.models import Area, User, home_icp
from icp.partnership.roles import AreaLevel, UserRole

pytestmark = pytest.mark.django_db


def test_a_user_at_home_in_an_icp_works_for_that_icp(make_user: Callable[..., User], icp_area: Area) -> None:
    assert home_icp(make_user(UserRole.GP)) == icp_area


def test_a_home_inside_an_icp_counts_as_that_icp(make_user: Callable[..., User], icp_area: Area) -> None:
    inside = Area.objects.create(
        code="NI-NOR-CA-TEST", name="A locality (test)", level=AreaLevel.NEIGHBOURHOOD, parent=icp_area
    )
    user = make_user(UserRole.GP)
    user.home_area = inside
    assert home_icp(user) == icp_area


def test_no_home_above_an_icp_and_no_login_mean_no_icp(
    make_user: Callable[..., User], icp_area: Area
) -> None:
    assert home_icp(make_user(UserRole.GP, icp=None)) is None
    reviewer = make_user(UserRole.REVIEWER)
    reviewer.home_area = icp_area.parent
    assert reviewer.home_area is not None and reviewer.home_area.level != AreaLevel.ICP
    assert home_icp(reviewer) is None
    assert home_icp(AnonymousUser()) is None

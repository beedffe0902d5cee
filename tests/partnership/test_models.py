"""The partnership's models: the one answer to "which ICP does this user work for?", the one token lookup."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from icp.partnership.accounts import authenticate_api_key
from icp.partnership.models import ApiToken, Area, User, home_icp
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


def test_a_token_key_finds_its_active_user_and_notes_the_use(make_user: Callable[..., User]) -> None:
    user = make_user(UserRole.GP)
    token, key = ApiToken.issue(user, "test")
    assert token.last_used is None
    assert authenticate_api_key(key) == user
    token.refresh_from_db()
    assert token.last_used is not None
    assert authenticate_api_key("not-a-key") is None
    user.is_active = False
    user.save()
    assert authenticate_api_key(key) is None


def test_the_json_api_and_the_fhir_api_accept_the_same_token_and_refuse_the_same_bad_one(
    make_user: Callable[..., User],
) -> None:
    _, key = ApiToken.issue(make_user(UserRole.GP), "test")
    client = Client()
    for url in ("/api/committees", "/fhir/Patient?name=Nobody"):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code != 401, url
        assert client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401, url

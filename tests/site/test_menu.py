"""One header menu, the same on every page, showing each role only what it may use."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from icp.demo.partnership import create_demo_partnership
from icp.partnership.models import User
from icp.partnership.roles import UserRole
from icp.site.menu import menu_for

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav class="nhsuk-header__navigation" aria-label="Menu">.*?</nav>', re.S)
LINK = re.compile(r'<a class="nhsuk-header__navigation-link" href="([^"]+)"[^>]*>(.*?)</a>', re.S)


@pytest.fixture
def demo(settings: Any) -> None:
    settings.DEBUG = True  # the demo (ICP_DEBUG=1): its own accounts sign in with a password alone
    create_demo_partnership(password="a-long-demo-password")


def labels(username: str) -> list[str]:
    return [link.label for link in menu_for(User.objects.get(username=username))]


def test_each_role_sees_the_pages_of_its_day(demo: None) -> None:
    assert labels("demo-gp") == ["Home", "Worklist", "Find a person", "Referrals", "MDTs", "Services"]
    assert labels("demo-voluntary") == ["Home", "Find a person", "Referrals", "Services"]
    assert labels("demo-hub") == ["Home", "Find a person", "Referrals", "Services", "Emergency lists"]
    assert labels("demo-iglead") == [
        "Home",
        "Break glass",
        "Audit trail",
        "Record linkage",
        "Exports",
        "Sharing agreements",
    ]
    assert labels("demo-analyst") == ["Home", "Risk population", "Indicators", "Caseloads", "Background jobs"]
    assert labels("demo-manager") == [
        "Home",
        "Sharing agreements",
        "Risk population",
        "Indicators",
        "Caseloads",
        "Background jobs",
        "Governance",
        "Admin",  # the demo manager is staff
    ]
    assert labels("demo-member") == ["Home", "Governance"]


def test_no_role_is_shown_a_page_that_refuses_it(demo: None, logged_in: Callable[[User], Client]) -> None:
    for user in User.objects.filter(username__startswith="demo-"):
        client = logged_in(user)
        for link in menu_for(user):
            response = client.get(link.url)
            assert response.status_code in (200, 302), (user.role, link.label, response.status_code)
            if response.status_code == 302:
                assert not response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["demo-gp", "demo-iglead", "demo-manager"])
def test_the_menu_is_the_same_on_every_page(
    demo: None, logged_in: Callable[[User], Client], username: str
) -> None:
    user = User.objects.get(username=username)
    client = logged_in(user)
    menus = set()
    for link in menu_for(user):
        if link.label == "Admin":
            continue  # Django's admin site has its own pages
        response = client.get(link.url, follow=True)
        found = MENU.search(response.content.decode())
        assert found is not None, link.url
        links = LINK.findall(found.group(0))
        menus.add(tuple((href, re.sub(r"<[^>]+>", "", text)) for href, text in links))
    assert menus == {tuple((link.url, link.label) for link in menu_for(user))}


def test_every_role_has_a_menu(demo: None) -> None:
    covered = set(User.objects.filter(username__startswith="demo-").values_list("role", flat=True))
    assert covered == set(UserRole.values)

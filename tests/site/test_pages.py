"""Pages: login, the ICP home page with practices and the composition check, and the admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from icp.demo.partnership import create_demo_partnership
from icp.partnership.models import Organisation, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-demo-password"


@pytest.fixture
def demo() -> None:
    create_demo_partnership(password=PASSWORD)


def test_pages_need_a_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_page_is_accessible_markup(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en-GB">' in html
    assert '<label class="nhsuk-label" for="id_username">' in html
    assert '<label class="nhsuk-label" for="id_password">' in html
    assert 'href="#maincontent"' in html and 'id="maincontent"' in html
    assert "csrfmiddlewaretoken" in html
    assert "://" not in html.split("<body")[0].replace("http://www.w3.org", "")  # no CDN in the head


def test_a_wrong_password_shows_an_error_summary(client: Client, demo: None) -> None:
    response = client.post("/accounts/login/", {"username": "demo-manager", "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_the_demo_manager_lands_on_their_icp_with_practices_and_the_vacant_seat(
    client: Client, demo: None, settings: Any
) -> None:
    settings.DEBUG = True  # the demo (ICP_DEBUG=1): its own accounts sign in with a password alone
    response = client.post(
        "/accounts/login/", {"username": "demo-manager", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/icp/NI-NOR-CA/"
    assert "<h1>Causeway ICP</h1>" in html
    assert "16 GP practices with 100,355 registered patients" in html
    assert "1 vacant seat" in html and "Vacant" in html
    assert "Carer" in html
    assert "NI-GP-" in html and "Coleraine" in html
    assert "PARTNERS" not in html  # practices by code and town, never partners' names


def test_a_user_without_a_home_icp_chooses_one(
    logged_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    html = logged_in(make_user(icp=None)).get("/").content.decode()
    assert html.count('href="/icp/NI-') == 17


def test_descriptive_icp_names_are_flagged(
    logged_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    html = logged_in(make_user()).get("/icp/NI-BEL-E/").content.decode()
    assert "name is descriptive" in html


def test_an_icp_manager_sees_only_their_own_icp_in_the_admin(client: Client, demo: None) -> None:
    client.force_login(User.objects.get(username="demo-manager"))
    html = client.get("/admin/partnership/organisation/?type__exact=gp_practice").content.decode()
    causeway = Organisation.objects.filter(icp__code="NI-NOR-CA").values_list("code", flat=True)
    belfast = Organisation.objects.filter(icp__code="NI-BEL-E").values_list("code", flat=True)
    assert all(code in html for code in causeway)
    assert not any(code in html for code in belfast)


def test_an_icp_manager_cannot_open_another_icps_practice_in_the_admin(client: Client, demo: None) -> None:
    client.force_login(User.objects.get(username="demo-manager"))
    other = Organisation.objects.filter(icp__code="NI-BEL-E").first()
    assert other is not None
    response = client.get(f"/admin/partnership/organisation/{other.pk}/change/")
    assert response.status_code in (302, 404)

"""Each role lands on its own home after logging in, and the home summarises that role's day."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from icp.demo.partnership import create_demo_partnership
from icp.partnership.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-demo-password"


@pytest.fixture
def demo(settings: Any) -> None:
    settings.DEBUG = True  # the demo (ICP_DEBUG=1): its own accounts sign in with a password alone
    create_demo_partnership(password=PASSWORD)


def land(client: Client, username: str) -> tuple[str, str]:
    """Log in through the form as reached from `/`; the page landed on and its HTML."""
    assert client.get("/", follow=True).redirect_chain[-1][0].startswith("/accounts/login/")
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    where = response.redirect_chain[-1][0] if response.redirect_chain else "/"
    return where, response.content.decode()


@pytest.mark.parametrize(
    ("username", "page"),
    [
        ("demo-manager", "/icp/NI-NOR-CA/"),
        ("demo-analyst", "/evaluation/icp/NI-NOR-CA/"),
        ("demo-voluntary", "/care/referrals/inbox/"),
        ("demo-hub", "/care/referrals/inbox/"),
        ("demo-reviewer", "/governance/bodies/NI-NOR/cases/"),
    ],
)
def test_roles_whose_day_is_an_existing_page_land_on_it(
    client: Client, demo: None, username: str, page: str
) -> None:
    where, _html = land(client, username)
    assert where == page


def test_a_gp_lands_on_their_practice_worklist_referrals_and_overdue_reviews(
    client: Client, demo: None
) -> None:
    where, html = land(client, "demo-gp")
    practice = User.objects.get(username="demo-gp").organisation
    assert where == "/"
    assert practice is not None and f"{practice.name}</h1>" in html
    assert f'href="/care/practice/{practice.code}/worklist/"' in html and "not yet reviewed" in html
    assert "Overdue reviews" in html and "pathway review" in html and "past its review date" in html
    assert "Referrals received" in html and "Referrals made" in html


def test_a_pharmacist_lands_on_people_to_review_and_referrals_made(client: Client, demo: None) -> None:
    where, html = land(client, "demo-pharmacist")
    assert where == "/"
    assert html.index("People to review") < html.index("Referrals made") < html.index("Referrals received")


def test_an_ig_lead_lands_on_break_glasses_to_review_and_agreement_gaps(client: Client, demo: None) -> None:
    where, html = land(client, "demo-iglead")
    assert where == "/"
    assert "Break glass to review" in html and "0 break glasses awaiting review" in html
    assert "Agreement gaps" in html and 'href="/sharing/agreements/"' in html
    assert 'href="/sharing/audit/"' in html


def test_a_lay_member_lands_on_their_meetings_papers_and_actions(client: Client, demo: None) -> None:
    where, html = land(client, "demo-member")
    assert where == "/"
    assert "Causeway ICP Partnership Committee" in html
    assert "Your next meetings" in html and "Your actions" in html


def test_the_icp_page_links_a_practice_to_its_worklist_for_those_who_may_use_it(
    client: Client, demo: None
) -> None:
    land(client, "demo-gp")
    practice = User.objects.get(username="demo-gp").organisation
    assert practice is not None
    response = client.get("/icp/NI-NOR-CA/")
    assert response.status_code == 200, response.get("Location")
    html = response.content.decode()
    assert html.count('/worklist/">Practice ') == 1  # their own practice only
    assert f'<a href="/care/practice/{practice.code}/worklist/">{practice.name}' in html


def test_an_icp_manager_lands_on_the_partnership_today(client: Client, demo: None) -> None:
    where, html = land(client, "demo-manager")
    assert where == "/icp/NI-NOR-CA/"
    today = html[html.index("The partnership today") : html.index('id="practices"')]
    for card, href in (
        ("Seats and members", "/governance/committees/"),
        ("Overdue actions", "/governance/icp/NI-NOR-CA/actions/overdue/"),
        ("Annual plan", "/governance/"),
        ("Business cases", "/governance/icp/NI-NOR-CA/cases/"),
        ("Caseloads", "/care/icp/NI-NOR-CA/caseload/"),
    ):
        assert f'">{card}</a>' in today and href in today, card
    assert "people on care pathways" in today and "pathway reviews overdue" in today


def test_only_the_icps_own_managers_see_the_partnership_today_on_its_page(client: Client, demo: None) -> None:
    land(client, "demo-gp")
    html = client.get("/icp/NI-NOR-CA/").content.decode()
    assert "The partnership today" not in html

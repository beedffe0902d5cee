"""The governance demo: everything the issue asks to see, and a second run changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from icp.governance.demo import create_demo_governance
from icp.governance.models import BusinessCase, Meeting, Milestone, ProjectSite
from icp.governance.quorum import meeting_frequency
from icp.governance.vocab import Rag
from icp.partnership.demo import DEMO_ICP
from icp.partnership.models import Committee, User


@pytest.fixture
def governance_demo(demo: None) -> None:
    create_demo_governance(icp_code=DEMO_ICP)


def test_the_demo_has_everything_the_issue_lists(governance_demo: None, committee: Committee) -> None:
    summary = create_demo_governance(icp_code=DEMO_ICP)  # a second run: finds, does not add
    assert summary.meetings == 5 and summary.inquorate == 1
    assert meeting_frequency(committee).meetings == 4 and not meeting_frequency(committee).flagged
    assert summary.overdue_actions >= 2
    statuses = set(BusinessCase.objects.filter(icp__code=DEMO_ICP).values_list("status", flat=True))
    assert {"draft", "under_review", "returned", "not_approved", "in_implementation"} <= statuses
    assert summary.icps_running_falls_prevention == 17
    assert ProjectSite.objects.filter(adopted=True).count() == 16
    assert set(Milestone.objects.values_list("rag", flat=True)) == set(Rag.values)
    assert summary.echo_networks == 21
    assert Meeting.objects.count() == 5 and BusinessCase.objects.count() == 5


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/governance/icp/NI-NOR-CA/", "How Causeway"),
        ("/governance/projects/spread/", "17 of 17"),
        ("/governance/echo/", "7,378"),
        ("/governance/icp/NI-NOR-CA/cases/", "Rapid access respiratory clinic"),
        ("/governance/areas/NI-NOR/plans/", "Causeway"),
        ("/governance/guide/", "quorate"),
    ],
)
def test_each_part_is_visible_on_its_page(
    governance_demo: None, demo_manager: User, url: str, text: str
) -> None:
    client = Client()
    client.force_login(demo_manager)
    response = client.get(url)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_the_inquorate_meeting_says_so(governance_demo: None, demo_member: User) -> None:
    client = Client()
    client.force_login(demo_member)
    meeting = Meeting.objects.get(quorate=False)
    page = client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert "This meeting was inquorate" in page and "neither the chair nor the vice chair" in page

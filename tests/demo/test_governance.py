"""The governance demo: everything the issue asks to see, and a second run changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from icp.demo.governance import create_demo_governance
from icp.demo.partnership import DEMO_ICP
from icp.governance.meetings.quorum import meeting_frequency
from icp.governance.models import BusinessCase, Meeting, Milestone, ProjectSite
from icp.governance.vocab import Rag
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


def test_every_governance_page_of_the_demo_opens(
    governance_demo: None, demo_manager: User, demo_reviewer: User
) -> None:
    from icp.governance.models import (
        AgendaItem,
        AnnualPlan,
        CaseBenefit,
        EchoNetwork,
        Project,
        Strategy,
    )

    manager = Client()
    manager.force_login(demo_manager)
    meeting = Meeting.objects.filter(quorate=True).first()
    assert meeting is not None
    committee = meeting.committee
    case = BusinessCase.objects.get(status="in_implementation")
    milestone = Milestone.objects.first()
    assert milestone is not None
    action = committee.action_items.first()
    assert action is not None
    assert manager.get("/governance/")["Location"] == f"/governance/icp/{DEMO_ICP}/"
    urls = [
        f"/governance/committees/{committee.pk}/",
        f"/governance/committees/{committee.pk}/meetings/new/",
        f"/governance/meetings/{meeting.pk}/",
        f"/governance/meetings/{meeting.pk}/agenda/new/",
        f"/governance/meetings/{meeting.pk}/attendance/new/",
        f"/governance/meetings/{meeting.pk}/decisions/new/",
        f"/governance/meetings/{meeting.pk}/actions/new/",
        f"/governance/agenda-items/{AgendaItem.objects.filter(meeting=meeting).first().pk}/papers/new/",  # type: ignore[union-attr]
        f"/governance/actions/{action.pk}/",
        f"/governance/icp/{DEMO_ICP}/cases/new/",
        f"/governance/cases/{case.pk}/",
        f"/governance/cases/{BusinessCase.objects.get(status='draft').pk}/funding/new/",
        f"/governance/cases/{BusinessCase.objects.get(status='draft').pk}/staff/new/",
        f"/governance/cases/{BusinessCase.objects.get(status='draft').pk}/benefits/new/",
        f"/governance/benefits/{CaseBenefit.objects.filter(case=case).first().pk}/measurements/new/",  # type: ignore[union-attr]
        f"/governance/plans/{AnnualPlan.objects.get().pk}/",
        f"/governance/milestones/{milestone.pk}/update/",
        f"/governance/strategies/{Strategy.objects.get().pk}/",
        "/governance/projects/",
        f"/governance/projects/{Project.objects.first().pk}/",  # type: ignore[union-attr]
        f"/governance/echo/{EchoNetwork.objects.first().pk}/",  # type: ignore[union-attr]
        "/governance/echo/?start=2020-01-01&end=2020-12-31",
    ]
    for url in urls:
        response = manager.get(url)
        assert response.status_code == 200, url
    reviewer = Client()
    reviewer.force_login(demo_reviewer)
    body = reviewer.get("/governance/bodies/NI-NOR/cases/").content.decode()
    assert "Rapid access respiratory clinic" in body and "Social prescribing" not in body  # drafts stay home
    page = reviewer.get(
        f"/governance/cases/{BusinessCase.objects.get(status='under_review').pk}/"
    ).content.decode()
    assert "Approve" in page and "Return for changes" in page

"""Fixtures for governance tests: the demo partnership (its committee, members and logins), a draft
business case and a held meeting with its papers, minutes, decision and an overdue action."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from icp.demo.partnership import DEMO_ICP, create_demo_partnership
from icp.governance.cases import actions as case_actions
from icp.governance.meetings import actions as meeting_actions
from icp.governance.models import BusinessCase, Indicator, Meeting
from icp.governance.vocab import IndicatorDirection, MeetingMode
from icp.partnership.models import Area, Committee, Person, User
from icp.partnership.priorities import PriorityGroup
from icp.partnership.roles import UserRole


@pytest.fixture
def demo(db: None) -> None:
    create_demo_partnership(password="synthetic-test-password")


@pytest.fixture
def committee(demo: None) -> Committee:
    return Committee.objects.get(area__code=DEMO_ICP)


@pytest.fixture
def demo_manager(demo: None) -> User:
    return User.objects.get(username="demo-manager")


@pytest.fixture
def demo_reviewer(demo: None) -> User:
    return User.objects.get(username="demo-reviewer")


@pytest.fixture
def demo_member(demo: None) -> User:
    return User.objects.get(username="demo-member")


@pytest.fixture
def other_manager(demo: None) -> User:
    """An ICP manager of another ICP (East Belfast), in another LCG area."""
    return User.objects.create_user(
        username="other-manager", role=UserRole.ICP_MANAGER, home_area=Area.objects.get(code="NI-BEL-E")
    )


@pytest.fixture
def other_reviewer(demo: None) -> User:
    """A reviewer of the Belfast LCG: not the demo ICP's commissioning body."""
    return User.objects.create_user(
        username="belfast-reviewer", role=UserRole.REVIEWER, home_area=Area.objects.get(code="NI-BEL")
    )


@pytest.fixture
def person(demo: None) -> Person:
    return Person.objects.get(name="Dr Brendan Synthetic")


@pytest.fixture
def indicator(db: None) -> Indicator:
    return Indicator.objects.create(
        code="emergency-admissions-75",
        name="Emergency admissions, people aged 75 and over",
        unit="admissions per 1,000 people aged 75+ per year",
        direction=IndicatorDirection.LOWER_IS_BETTER,
    )


@pytest.fixture
def draft_case(demo_manager: User, indicator: Indicator) -> BusinessCase:
    """A complete draft case of the demo ICP: resources and one benefit, ready to submit."""
    assert demo_manager.home_area is not None
    case = case_actions.create_case(
        icp=demo_manager.home_area,
        title="Rapid access respiratory service",
        priority_group=PriorityGroup.RESPIRATORY,
        problem="People with COPD wait for a hospital appointment after an exacerbation.",
        proposal="A community respiratory team sees them within 48 hours.",
        by=demo_manager,
    )
    case_actions.add_funding_request(
        case=case, financial_year="2026/27", amount=Decimal("120000"), by=demo_manager
    )
    case_actions.add_staff_request(
        case=case,
        financial_year="2026/27",
        role="Band 6 respiratory nurse",
        wte=Decimal("2.0"),
        by=demo_manager,
    )
    case_actions.add_benefit(
        case=case,
        description="Fewer emergency admissions",
        indicator=indicator,
        baseline=Decimal("52.0"),
        target=Decimal("45.0"),
        target_date=date(2028, 3, 31),
        by=demo_manager,
    )
    return case


@pytest.fixture
def meeting(committee: Committee, demo_manager: User, person: Person) -> Meeting:
    meeting = meeting_actions.schedule_meeting(
        committee=committee,
        date=date.today() - timedelta(days=7),
        mode=MeetingMode.IN_PERSON,
        location="Hall",
        by=demo_manager,
    )
    item = meeting_actions.add_agenda_item(meeting=meeting, title="Frailty report", by=demo_manager)
    meeting_actions.upload_paper(
        agenda_item=item, upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF"), by=demo_manager
    )
    meeting_actions.record_attendance(meeting=meeting, person=person, status="present", by=demo_manager)
    meeting_actions.save_minutes(
        meeting=meeting, text="Met \u2013 and agreed \u201cthings\u201d.", by=demo_manager
    )
    meeting_actions.record_decision(
        meeting=meeting, text="Agree the pathway", outcome="agreed", proposed_by=person, by=demo_manager
    )
    meeting_actions.add_action_item(
        committee=committee,
        meeting=meeting,
        description="Send the pathway",
        owner=person,
        due_date=date.today() - timedelta(days=1),
        by=demo_manager,
    )
    return meeting

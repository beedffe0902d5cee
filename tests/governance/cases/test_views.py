"""Business case pages: the lifecycle through the pages, edits only while draft or returned, no
posting into another ICP's cases."""

from __future__ import annotations

from icp.governance.cases.actions import transition_case
from icp.governance.models import BusinessCase
from icp.governance.vocab import CaseStatus
from icp.partnership.models import User
from tests.governance.clients import browser


def test_case_pages_follow_the_lifecycle(
    draft_case: BusinessCase, demo_manager: User, demo_member: User, demo_reviewer: User, other_reviewer: User
) -> None:
    url = f"/governance/cases/{draft_case.pk}/"
    assert browser(demo_member).get(url).status_code == 200
    assert browser(demo_reviewer).get(url).status_code == 403  # a draft is not yet sent
    transition_case(case=draft_case, verb="submit", by=demo_manager)
    assert browser(demo_reviewer).get(url).status_code == 200
    assert browser(other_reviewer).get(url).status_code == 403
    assert browser(demo_reviewer).get("/governance/bodies/NI-NOR/cases/").status_code == 200
    assert browser(demo_manager).get("/governance/bodies/NI-NOR/cases/").status_code == 403
    # The manager's POST to approve is refused; the reviewer's goes through.
    browser(demo_manager).post(f"{url}do/start_review/", {"comment": ""})
    draft_case.refresh_from_db()
    assert draft_case.status == CaseStatus.SUBMITTED
    browser(demo_reviewer).post(f"{url}do/start_review/", {"comment": ""})
    response = browser(demo_reviewer).post(
        f"{url}do/approve/", {"comment": "", "money_approved": "100000"}, follow=True
    )
    assert "the case is now approved" in response.content.decode()
    draft_case.refresh_from_db()
    assert draft_case.status == CaseStatus.APPROVED and draft_case.money_approved == 100000
    listing = browser(demo_member).get("/governance/icp/NI-NOR-CA/cases/").content.decode()
    assert "£120,000" in listing and "£100,000" in listing


def test_case_page_post_from_another_icp_is_forbidden(draft_case: BusinessCase, other_manager: User) -> None:
    response = browser(other_manager).post(f"/governance/cases/{draft_case.pk}/do/submit/", {"comment": ""})
    assert response.status_code == 403


def test_a_case_is_edited_only_while_draft_or_returned(draft_case: BusinessCase, demo_manager: User) -> None:
    url = f"/governance/cases/{draft_case.pk}/edit/"
    form = {
        "title": "Rapid access respiratory service v2",
        "priority_group": "respiratory",
        "problem": "p",
        "proposal": "q",
        "risks": "",
    }
    assert browser(demo_manager).post(url, form).status_code == 302
    draft_case.refresh_from_db()
    assert draft_case.title.endswith("v2")
    transition_case(case=draft_case, verb="submit", by=demo_manager)
    response = browser(demo_manager).post(url, {**form, "title": "Changed after submission"})
    assert (
        response.status_code == 400 and "can be changed only while it is a draft" in response.content.decode()
    )

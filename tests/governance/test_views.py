"""Pages and who may use them: members see, the ICP's managers edit, reviewers act on their body's
cases, and nobody edits another ICP's records. Exports print as HTML and PDF."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from icp.governance.actions import meetings as meeting_actions
from icp.governance.actions import plans as plan_actions
from icp.governance.actions.cases import transition_case
from icp.governance.models import BusinessCase, Meeting, Paper
from icp.governance.vocab import CaseStatus, MeetingMode, Rag
from icp.partnership.models import Area, Committee, Person, User


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


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


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("demo_member", 200),
        ("demo_manager", 200),
        ("other_manager", 403),
        ("demo_reviewer", 403),
        (None, 302),
    ],
)
def test_committee_and_meeting_pages_are_for_members_and_the_icps_managers(
    request: pytest.FixtureRequest, meeting: Meeting, who: str | None, expected: int
) -> None:
    client = _client(request.getfixturevalue(who) if who else None)
    for url in (
        f"/governance/committees/{meeting.committee_id}/",
        f"/governance/meetings/{meeting.pk}/",
        f"/governance/meetings/{meeting.pk}/print/agenda",
        f"/governance/meetings/{meeting.pk}/print/minutes.pdf",
    ):
        assert client.get(url).status_code == expected, url


def test_a_committee_member_who_holds_a_seat_sees_the_meetings(meeting: Meeting, person: Person) -> None:
    seat_holder = User.objects.create_user(username="seat-holder", role="gp", person=person)
    assert _client(seat_holder).get(f"/governance/meetings/{meeting.pk}/").status_code == 200


def test_the_committee_page_lists_overdue_actions_by_owner(meeting: Meeting, demo_member: User) -> None:
    page = _client(demo_member).get(f"/governance/committees/{meeting.committee_id}/").content.decode()
    assert (
        "Overdue actions by owner" in page and "Send the pathway" in page and "Dr Brendan Synthetic" in page
    )
    assert "Fewer than four meetings" in page  # one meeting in the last year


def test_exports_print_as_html_and_pdf(meeting: Meeting, demo_member: User) -> None:
    client = _client(demo_member)
    html = client.get(f"/governance/meetings/{meeting.pk}/print/minutes").content.decode()
    assert "Agree the pathway" in html and "Send the pathway" in html
    assert "Frailty report" in client.get(f"/governance/meetings/{meeting.pk}/print/agenda").content.decode()
    for document in ("agenda.pdf", "minutes.pdf"):
        response = client.get(f"/governance/meetings/{meeting.pk}/print/{document}")
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
        assert len(response.content) > 1000
    assert client.get(f"/governance/meetings/{meeting.pk}/print/secrets").status_code == 404


def test_the_manager_schedules_a_meeting_through_the_page(
    committee: Committee, demo_manager: User, other_manager: User
) -> None:
    url = f"/governance/committees/{committee.pk}/meetings/new/"
    form = {"date": "2026-12-10", "mode": "virtual", "video_link": ""}
    response = _client(demo_manager).post(url, form)
    assert response.status_code == 400 and "needs its video link" in response.content.decode()
    form["video_link"] = "https://video.invalid/x"
    assert _client(demo_manager).post(url, form).status_code == 302
    assert _client(other_manager).post(url, form).status_code == 403
    assert Meeting.objects.filter(committee=committee).count() == 1


def test_a_bad_upload_through_the_page_is_refused_and_nothing_is_stored(
    meeting: Meeting, demo_manager: User
) -> None:
    item = meeting.agenda_items.get()
    before = Paper.objects.count()
    response = _client(demo_manager).post(
        f"/governance/agenda-items/{item.pk}/papers/new/", {"file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert response.status_code == 400 and "is not accepted" in response.content.decode()
    assert Paper.objects.count() == before


def test_case_pages_follow_the_lifecycle(
    draft_case: BusinessCase, demo_manager: User, demo_member: User, demo_reviewer: User, other_reviewer: User
) -> None:
    url = f"/governance/cases/{draft_case.pk}/"
    assert _client(demo_member).get(url).status_code == 200
    assert _client(demo_reviewer).get(url).status_code == 403  # a draft is not yet sent
    transition_case(case=draft_case, verb="submit", by=demo_manager)
    assert _client(demo_reviewer).get(url).status_code == 200
    assert _client(other_reviewer).get(url).status_code == 403
    assert _client(demo_reviewer).get("/governance/bodies/NI-NOR/cases/").status_code == 200
    assert _client(demo_manager).get("/governance/bodies/NI-NOR/cases/").status_code == 403
    # The manager's POST to approve is refused; the reviewer's goes through.
    _client(demo_manager).post(f"{url}do/start_review/", {"comment": ""})
    draft_case.refresh_from_db()
    assert draft_case.status == CaseStatus.SUBMITTED
    _client(demo_reviewer).post(f"{url}do/start_review/", {"comment": ""})
    response = _client(demo_reviewer).post(
        f"{url}do/approve/", {"comment": "", "money_approved": "100000"}, follow=True
    )
    assert "the case is now approved" in response.content.decode()
    draft_case.refresh_from_db()
    assert draft_case.status == CaseStatus.APPROVED and draft_case.money_approved == 100000
    listing = _client(demo_member).get("/governance/icp/NI-NOR-CA/cases/").content.decode()
    assert "£120,000" in listing and "£100,000" in listing


def test_case_page_post_from_another_icp_is_forbidden(draft_case: BusinessCase, other_manager: User) -> None:
    response = _client(other_manager).post(f"/governance/cases/{draft_case.pk}/do/submit/", {"comment": ""})
    assert response.status_code == 403


def test_milestones_are_updated_only_by_their_icps_manager(
    demo_manager: User, other_manager: User, person: Person
) -> None:
    icp = Area.objects.get(code="NI-NOR-CA")
    plan = plan_actions.create_plan(icp=icp, year_starting=2026, title="Plan", by=demo_manager)
    objective = plan_actions.add_objective(plan=plan, title="Frailty", by=demo_manager)
    milestone = plan_actions.add_milestone(
        objective=objective,
        title="Worklists",
        owner=person,
        due_date=date.today() - timedelta(days=1),
        by=demo_manager,
    )
    page = _client(other_manager).get(f"/governance/plans/{plan.pk}/").content.decode()
    assert "Overdue" in page and "Update" not in page.split("Worklists")[1][:80]
    url = f"/governance/milestones/{milestone.pk}/update/"
    assert _client(other_manager).post(url, {"rag": "red", "note": "x"}).status_code == 403
    assert _client(demo_manager).post(url, {"rag": Rag.COMPLETE, "note": "Done"}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.rag == Rag.COMPLETE


def test_another_icp_records_its_own_adoption(demo_manager: User, other_manager: User) -> None:
    icp = Area.objects.get(code="NI-NOR-CA")
    lead = icp.organisations.first()
    assert lead is not None
    project = plan_actions.create_project(
        title="Falls", origin_icp=icp, lead_organisation=lead, start_date=date(2020, 1, 1), by=demo_manager
    )
    response = _client(other_manager).post(
        f"/governance/projects/{project.pk}/adopt/", {"started_on": "2021-05-01"}
    )
    assert response.status_code == 302
    assert [site.icp.code for site in project.sites.order_by("started_on")] == ["NI-NOR-CA", "NI-BEL-E"]
    spread = _client(other_manager).get("/governance/projects/spread/").content.decode()
    assert "2 of 17" in spread
    again = _client(demo_manager).post(
        f"/governance/projects/{project.pk}/adopt/", {"started_on": "2021-05-01"}
    )
    assert again.status_code == 400 and "already runs" in again.content.decode()


def test_the_icp_home_page_links_to_governance(demo_member: User) -> None:
    page = _client(demo_member).get("/icp/NI-NOR-CA/").content.decode()
    assert "/governance/icp/NI-NOR-CA/" in page
    assert 'href="/governance/"' in page  # the header navigation


def test_a_case_is_edited_only_while_draft_or_returned(draft_case: BusinessCase, demo_manager: User) -> None:
    url = f"/governance/cases/{draft_case.pk}/edit/"
    form = {
        "title": "Rapid access respiratory service v2",
        "priority_group": "respiratory",
        "problem": "p",
        "proposal": "q",
        "risks": "",
    }
    assert _client(demo_manager).post(url, form).status_code == 302
    draft_case.refresh_from_db()
    assert draft_case.title.endswith("v2")
    transition_case(case=draft_case, verb="submit", by=demo_manager)
    response = _client(demo_manager).post(url, {**form, "title": "Changed after submission"})
    assert (
        response.status_code == 400 and "can be changed only while it is a draft" in response.content.decode()
    )


def test_the_admin_lists_governance_records(meeting: Meeting, draft_case: BusinessCase) -> None:
    admin = User.objects.create_superuser(username="root-admin", password="x-long-password-1")
    client = _client(admin)
    for model in ("meeting", "businesscase", "actionitem", "echonetwork", "project", "annualplan", "paper"):
        assert client.get(f"/admin/governance/{model}/").status_code == 200, model
    assert client.get(f"/admin/governance/businesscase/{draft_case.pk}/change/").status_code == 200
    assert client.get(f"/admin/governance/meeting/{meeting.pk}/change/").status_code == 200


def test_a_manager_writes_a_plan_and_starts_a_project_through_the_pages(
    demo_manager: User, other_manager: User, person: Person
) -> None:
    client = _client(demo_manager)
    assert _client(other_manager).post("/governance/icp/NI-NOR-CA/plans/new/", {}).status_code == 403
    response = client.post(
        "/governance/icp/NI-NOR-CA/plans/new/", {"year_starting": 2026, "title": "Plan 26/27"}
    )
    assert response.status_code == 302
    plan_url = response["Location"]
    plan_id = int(plan_url.rstrip("/").split("/")[-1])
    assert (
        client.post(f"/governance/plans/{plan_id}/objectives/new/", {"title": "Frailty"}).status_code == 302
    )
    objective = Area.objects.get(code="NI-NOR-CA").annual_plans.get().objectives.get()
    milestone = {"title": "Worklists live", "owner": person.pk, "due_date": "2027-01-31", "rag": "green"}
    assert client.post(f"/governance/objectives/{objective.pk}/milestones/new/", milestone).status_code == 302
    assert "Worklists live" in client.get(plan_url).content.decode()
    assert (
        _client(other_manager)
        .post(f"/governance/objectives/{objective.pk}/milestones/new/", milestone)
        .status_code
        == 403
    )
    lead = Area.objects.get(code="NI-NOR-CA").organisations.order_by("name").first()
    assert lead is not None
    project = {"title": "Frailty hub", "lead_organisation": lead.pk, "start_date": "2026-09-01"}
    assert client.post("/governance/icp/NI-NOR-CA/projects/new/", project).status_code == 302
    assert _client(other_manager).post("/governance/icp/NI-NOR-CA/projects/new/", project).status_code == 403


def test_the_quorum_rule_is_changed_by_the_icps_manager_and_applies(
    meeting: Meeting, demo_manager: User, other_manager: User
) -> None:
    url = f"/governance/committees/{meeting.committee_id}/quorum/"
    form = {
        "share_of_filled_seats": "0.05",
        "minimum_present": "1",
        "source": "Standing orders s.4 (synthetic)",
    }
    assert _client(other_manager).post(url, form).status_code == 403
    assert _client(demo_manager).post(url, form).status_code == 302
    rule = meeting.committee.quorum_rule  # type: ignore[attr-defined]
    assert str(rule.share_of_filled_seats) == "0.05" and rule.chair_or_vice_chair_required is False
    result = meeting_actions.approve_minutes(meeting=meeting, by=demo_manager)
    assert result.quorate  # one member of 13 present meets 5% (rounded up to 1), no chair needed now


def test_overdue_actions_are_listed_per_committee_and_per_owner(
    meeting: Meeting, demo_member: User, other_manager: User
) -> None:
    page = _client(demo_member).get("/governance/icp/NI-NOR-CA/actions/overdue/").content.decode()
    assert "By committee" in page and "By owner" in page and page.count("Send the pathway") == 2
    assert _client(other_manager).get("/governance/icp/NI-NOR-CA/actions/overdue/").status_code == 403

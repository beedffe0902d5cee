"""Meeting pages: members see, the ICP's managers edit, and exports print as HTML and PDF."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from icp.governance.meetings import actions as meeting_actions
from icp.governance.models import Meeting, Paper
from icp.partnership.models import Committee, Person, User
from tests.governance.clients import browser


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
    client = browser(request.getfixturevalue(who) if who else None)
    for url in (
        f"/governance/committees/{meeting.committee_id}/",
        f"/governance/meetings/{meeting.pk}/",
        f"/governance/meetings/{meeting.pk}/print/agenda",
        f"/governance/meetings/{meeting.pk}/print/minutes.pdf",
    ):
        assert client.get(url).status_code == expected, url


def test_a_committee_member_who_holds_a_seat_sees_the_meetings(meeting: Meeting, person: Person) -> None:
    seat_holder = User.objects.create_user(username="seat-holder", role="gp", person=person)
    assert browser(seat_holder).get(f"/governance/meetings/{meeting.pk}/").status_code == 200


def test_the_committee_page_lists_overdue_actions_by_owner(meeting: Meeting, demo_member: User) -> None:
    page = browser(demo_member).get(f"/governance/committees/{meeting.committee_id}/").content.decode()
    assert (
        "Overdue actions by owner" in page and "Send the pathway" in page and "Dr Brendan Synthetic" in page
    )
    assert "Fewer than four meetings" in page  # one meeting in the last year


def test_exports_print_as_html_and_pdf(meeting: Meeting, demo_member: User) -> None:
    client = browser(demo_member)
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
    response = browser(demo_manager).post(url, form)
    assert response.status_code == 400 and "needs its video link" in response.content.decode()
    form["video_link"] = "https://video.invalid/x"
    assert browser(demo_manager).post(url, form).status_code == 302
    assert browser(other_manager).post(url, form).status_code == 403
    assert Meeting.objects.filter(committee=committee).count() == 1


def test_a_bad_upload_through_the_page_is_refused_and_nothing_is_stored(
    meeting: Meeting, demo_manager: User
) -> None:
    item = meeting.agenda_items.get()
    before = Paper.objects.count()
    response = browser(demo_manager).post(
        f"/governance/agenda-items/{item.pk}/papers/new/", {"file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert response.status_code == 400 and "is not accepted" in response.content.decode()
    assert Paper.objects.count() == before


def test_the_quorum_rule_is_changed_by_the_icps_manager_and_applies(
    meeting: Meeting, demo_manager: User, other_manager: User
) -> None:
    url = f"/governance/committees/{meeting.committee_id}/quorum/"
    form = {
        "share_of_filled_seats": "0.05",
        "minimum_present": "1",
        "source": "Standing orders s.4 (synthetic)",
    }
    assert browser(other_manager).post(url, form).status_code == 403
    assert browser(demo_manager).post(url, form).status_code == 302
    rule = meeting.committee.quorum_rule  # type: ignore[attr-defined]
    assert str(rule.share_of_filled_seats) == "0.05" and rule.chair_or_vice_chair_required is False
    result = meeting_actions.approve_minutes(meeting=meeting, by=demo_manager)
    assert result.quorate  # one member of 13 present meets 5% (rounded up to 1), no chair needed now


def test_overdue_actions_are_listed_per_committee_and_per_owner(
    meeting: Meeting, demo_member: User, other_manager: User
) -> None:
    page = browser(demo_member).get("/governance/icp/NI-NOR-CA/actions/overdue/").content.decode()
    assert "By committee" in page and "By owner" in page and page.count("Send the pathway") == 2
    assert browser(other_manager).get("/governance/icp/NI-NOR-CA/actions/overdue/").status_code == 403

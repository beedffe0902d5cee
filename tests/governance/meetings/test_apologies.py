"""Members send their own apologies before a meeting; the meeting page forecasts the quorum from
them; a past meeting offers no link to join."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icp.audit.models import AuditEvent
from icp.governance.meetings import actions as meeting_actions
from icp.governance.meetings.apologies import send_apologies, withdraw_apologies
from icp.governance.meetings.quorum import forecast_quorum
from icp.governance.models import Attendance, Meeting
from icp.governance.vocab import MeetingMode
from icp.partnership.models import Committee, Person, User
from icp.partnership.roles import Office
from tests.governance.clients import browser

LINK = "https://video.invalid/causeway"


@pytest.fixture
def coming(committee: Committee, demo_manager: User) -> Meeting:
    return meeting_actions.schedule_meeting(
        committee=committee,
        date=date.today() + timedelta(days=14),
        mode=MeetingMode.VIRTUAL,
        video_link=LINK,
        by=demo_manager,
    )


def members(committee: Committee) -> list[Person]:
    return [m.person for m in committee.memberships.select_related("person").order_by("person__name")]


def apologise(meeting: Meeting, people: list[Person], manager: User) -> None:
    for person in people:
        meeting_actions.record_attendance(meeting=meeting, person=person, status="apologies", by=manager)


def test_the_demo_lay_member_holds_the_service_user_seat(demo_member: User, committee: Committee) -> None:
    assert demo_member.person is not None
    seat = committee.memberships.get(person=demo_member.person)
    assert seat.seat.code == "service-user"


def test_with_no_apologies_every_member_is_expected(coming: Meeting) -> None:
    forecast = forecast_quorum(coming)
    # The demo committee: 13 of its 14 seats filled (the carer's is vacant); half of 13 rounded up is 7.
    assert (forecast.seats_filled, forecast.expected, forecast.required) == (13, 13, 7)
    assert forecast.expected_quorate
    assert forecast.explanation == (
        "Expected to be quorate: 13 of 13 members can come (7 needed; 0 apologies so far), "
        "with the chair or vice chair"
    )


def test_one_apology_too_many_tips_the_forecast(
    coming: Meeting, demo_manager: User, demo_member: User
) -> None:
    chair = coming.committee.memberships.get(office=Office.CHAIR).person
    away = [p for p in members(coming.committee) if p not in (chair, demo_member.person)][:6]
    apologise(coming, away, demo_manager)
    assert forecast_quorum(coming).expected == 7 and forecast_quorum(coming).expected_quorate
    send_apologies(meeting=coming, by=demo_member, note="Hospital appointment")
    forecast = forecast_quorum(coming)
    assert (forecast.expected, forecast.apologies, forecast.expected_quorate) == (6, 7, False)
    assert forecast.explanation == (
        "Not expected to be quorate: only 6 of 13 members can come; 7 needed (7 apologies so far)"
    )


def test_a_deputy_attending_for_a_member_keeps_the_seat_counted(
    coming: Meeting, demo_manager: User, demo_member: User
) -> None:
    send_apologies(meeting=coming, by=demo_member)
    deputy = Person.objects.create(name="Deputy (synthetic)", professional_role="carer")
    assert demo_member.person is not None
    meeting_actions.record_attendance(
        meeting=coming, person=deputy, status="present", deputy_for=demo_member.person, by=demo_manager
    )
    assert forecast_quorum(coming).expected == 13


def test_without_the_chair_and_vice_chair_it_is_not_expected_to_be_quorate(
    coming: Meeting, demo_manager: User
) -> None:
    chair = coming.committee.memberships.get(office=Office.CHAIR).person
    apologise(coming, [chair], demo_manager)
    forecast = forecast_quorum(coming)
    assert not forecast.expected_quorate and forecast.expected == 12
    assert "neither the chair nor the vice chair can come" in forecast.explanation


def test_a_member_sends_and_withdraws_apologies_and_both_are_audited(
    coming: Meeting, demo_member: User
) -> None:
    send_apologies(meeting=coming, by=demo_member, note="Away")
    row = Attendance.objects.get(meeting=coming, person=demo_member.person)
    assert (row.status, row.note) == ("apologies", "Away")
    withdraw_apologies(meeting=coming, by=demo_member)
    assert not Attendance.objects.filter(meeting=coming).exists()
    assert AuditEvent.objects.filter(action="apologies.send", actor_username="demo-member").count() == 1
    assert AuditEvent.objects.filter(action="apologies.withdraw", actor_username="demo-member").count() == 1
    with pytest.raises(ValidationError, match="not sent apologies"):
        withdraw_apologies(meeting=coming, by=demo_member)


def test_only_a_seat_holder_sends_apologies_and_only_before_the_meeting(
    coming: Meeting, meeting: Meeting, demo_member: User, demo_manager: User
) -> None:
    with pytest.raises(PermissionDenied, match="link your login to your seat"):
        send_apologies(meeting=coming, by=demo_manager)
    assert AuditEvent.objects.filter(action="apologies.send", outcome="denied").count() == 1
    with pytest.raises(ValidationError, match="already taken place"):
        send_apologies(meeting=meeting, by=demo_member)  # a week ago
    with pytest.raises(ValidationError, match="200 characters"):
        send_apologies(meeting=coming, by=demo_member, note="x" * 201)


def test_the_member_sends_apologies_from_the_meeting_page(coming: Meeting, demo_member: User) -> None:
    client = browser(demo_member)
    page = client.get(f"/governance/meetings/{coming.pk}/").content.decode()
    assert "Send apologies" in page and "13 of 13 members can come" in page
    assert f'href="{LINK}"' in page
    response = client.post(f"/governance/meetings/{coming.pk}/apologies/", {"note": "On holiday"})
    assert response.status_code == 302
    page = client.get(f"/governance/meetings/{coming.pk}/").content.decode()
    assert "12 of 13 members can come" in page and "Withdraw my apologies" in page
    assert client.post(f"/governance/meetings/{coming.pk}/apologies/withdraw/").status_code == 302
    assert "13 of 13 members can come" in client.get(f"/governance/meetings/{coming.pk}/").content.decode()
    too_long = client.post(f"/governance/meetings/{coming.pk}/apologies/", {"note": "x" * 300})
    assert too_long.status_code == 400 and "There is a problem" in too_long.content.decode()


def test_a_manager_without_a_seat_is_not_offered_apologies_and_is_refused(
    coming: Meeting, demo_manager: User
) -> None:
    client = browser(demo_manager)
    assert "Send apologies" not in client.get(f"/governance/meetings/{coming.pk}/").content.decode()
    assert client.post(f"/governance/meetings/{coming.pk}/apologies/", {"note": ""}).status_code == 403


def test_a_past_meeting_offers_no_join_link_and_no_forecast(
    committee: Committee, demo_manager: User, demo_member: User
) -> None:
    past = meeting_actions.schedule_meeting(
        committee=committee,
        date=date.today() - timedelta(days=1),
        mode=MeetingMode.VIRTUAL,
        video_link=LINK,
        by=demo_manager,
    )
    client = browser(demo_member)
    page = client.get(f"/governance/meetings/{past.pk}/").content.decode()
    assert LINK not in page and "Join the video meeting" not in page
    assert "Expected to be quorate" not in page and "Send apologies" not in page
    assert LINK not in client.get(f"/governance/meetings/{past.pk}/print/agenda").content.decode()

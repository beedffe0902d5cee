"""The meetings API: filtered by access, writes through the meeting actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from icp.partnership.models import Committee, Person, User
from tests.governance.clients import Api


def test_meetings_and_actions_are_created_by_the_manager_and_seen_only_by_members(
    committee: Committee, demo_manager: User, demo_member: User, other_manager: User, person: Person
) -> None:
    manager = Api(demo_manager)
    created = manager.post(
        "/meetings",
        {
            "committee_id": committee.pk,
            "date": "2026-12-01",
            "mode": "virtual",
            "video_link": "https://video.invalid/m",
        },
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    action = manager.post(
        "/actions",
        {
            "committee_id": committee.pk,
            "meeting_id": meeting_id,
            "description": "Circulate the frailty pathway draft",
            "owner_id": person.pk,
            "due_date": str(date.today() - timedelta(days=3)),
        },
    )
    assert action.status_code == 201 and action.json()["overdue"] is True
    member = Api(demo_member)
    assert [m["id"] for m in member.get("/meetings").json()] == [meeting_id]
    assert len(member.get("/actions", overdue=True).json()) == 1
    outsider = Api(other_manager)
    assert outsider.get("/meetings").json() == []
    assert outsider.get(f"/meetings/{meeting_id}").status_code == 403
    refused = outsider.post(
        "/meetings", {"committee_id": committee.pk, "date": "2026-12-02", "location": "Hall"}
    )
    assert refused.status_code == 403
    done = manager.post(f"/actions/{action.json()['id']}/status", {"status": "done"})
    assert done.json()["status"] == "done" and done.json()["overdue"] is False


def test_a_virtual_meeting_without_a_link_is_refused_with_the_field(
    committee: Committee, demo_manager: User
) -> None:
    response = Api(demo_manager).post(
        "/meetings", {"committee_id": committee.pk, "date": "2026-12-01", "mode": "virtual"}
    )
    assert response.status_code == 422
    assert "video_link" in response.json()["detail"]


@pytest.mark.parametrize("on", ["2026-11-01"])
def test_meeting_frequency_endpoint(committee: Committee, demo_member: User, on: str) -> None:
    body = Api(demo_member).get(f"/committees/{committee.pk}/meeting-frequency", on=on).json()
    assert body["meetings_in_last_12_months"] == 0 and body["flagged"] is True


VIRTUAL = {"mode": "virtual", "video_link": "https://video.invalid/m"}


def test_a_start_time_with_a_utc_offset_is_kept_as_local_time_not_a_500(
    committee: Committee, demo_manager: User
) -> None:
    manager = Api(demo_manager)
    winter = manager.post(
        "/meetings",
        {**VIRTUAL, "committee_id": committee.pk, "date": "2026-12-08", "start_time": "10:00:00+01:00"},
    )
    assert winter.status_code == 201, winter.content
    assert winter.json()["start_time"] == "09:00:00"  # 09:00 UTC is 09:00 in London in December
    summer = manager.post(
        "/meetings",
        {**VIRTUAL, "committee_id": committee.pk, "date": "2026-06-09", "start_time": "09:00:00Z"},
    )
    assert summer.status_code == 201 and summer.json()["start_time"] == "10:00:00"  # British Summer Time


def test_an_id_beyond_a_database_key_is_a_4xx_not_a_500(committee: Committee, demo_manager: User) -> None:
    manager = Api(demo_manager)
    assert manager.get(f"/meetings/{'9' * 30}").status_code in (400, 404)
    made = manager.post("/meetings", {**VIRTUAL, "committee_id": int("9" * 30), "date": "2026-12-08"})
    # SQLite cannot hold the number at all (400, "out of range"); PostgreSQL finds no such committee (404).
    assert made.status_code in (400, 404), made.content

"""MDT pages: list from the person page and the worklist, run the meeting."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from icp.care.mdt.actions import schedule_meeting
from icp.care.mdt.models import MdtAction, MdtCase
from icp.care.models import MdtList
from tests.sharing.conftest import World


def test_list_from_the_person_page_and_run_the_meeting(
    client: Client, shared_world: World, mdt: MdtList
) -> None:
    w = shared_world
    meeting = schedule_meeting(
        mdt_list=mdt, starts_at=timezone.now() + timedelta(days=2), by=w.users["gp"], location="Room 1"
    )
    client.force_login(w.users["gp"])
    assert "List for MDT" in client.get("/care/person/pt-alice-0001/").content.decode()
    client.post("/care/person/pt-alice-0001/mdt/", {"mdt_list": mdt.pk})
    case = MdtCase.objects.get(meeting=meeting)
    url = f"/care/mdt/meetings/{meeting.public_id}/change/"
    client.post(
        url,
        {
            "what": "attendance",
            "name": "A GP (synthetic)",
            "organisation": w.orgs["practice_a"].code,
            "virtual": "yes",
        },
    )
    client.post(
        url, {"what": "discussion", "case": case.public_id, "discussion": "Falls", "outcome": "Befriending"}
    )
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    client.post(
        url,
        {"what": "action", "case": case.public_id, "description": "Visit", "owner": "T-VOL", "due_on": due},
    )
    page = client.get(f"/care/mdt/meetings/{meeting.public_id}/").content.decode()
    assert (
        "ZEPHYRINE, Alice" in page and "joined by video" in page and "Befriending" in page and "Visit" in page
    )
    action = MdtAction.objects.get()
    client.force_login(w.users["voluntary"])
    client.post(url, {"what": "done", "action": action.public_id})
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    client.force_login(w.users["pharmacist"])
    assert client.get(f"/care/mdt/meetings/{meeting.public_id}/").status_code == 403


def test_list_a_worklist_selection_for_the_mdt(client: Client, shared_world: World, mdt: MdtList) -> None:
    w = shared_world
    meeting = schedule_meeting(
        mdt_list=mdt, starts_at=timezone.now() + timedelta(days=2), by=w.users["gp"], location="Room 1"
    )
    client.force_login(w.users["gp"])
    code = w.orgs["practice_a"].code
    client.post(f"/care/practice/{code}/mdt/", {"patient": ["pt-alice-0001"], "mdt_list": mdt.pk})
    assert MdtCase.objects.get(meeting=meeting).source == "worklist"
    client.post(f"/care/mdt/{mdt.pk}/", {"starts_at": "2031-01-05 10:00", "location": "Room 2"})
    assert mdt.meetings.count() == 2
    # As the page asks: the NHS date input and a time on the 24-hour clock.
    assert 'name="starts_at_day"' in client.get(f"/care/mdt/{mdt.pk}/").content.decode()
    date_and_time = {"starts_at_day": "6", "starts_at_month": "1", "starts_at_year": "2031"}
    client.post(f"/care/mdt/{mdt.pk}/", {**date_and_time, "starts_at_time": "14:30", "location": "Room 3"})
    third = mdt.meetings.get(location="Room 3")
    assert timezone.localtime(third.starts_at).strftime("%Y-%m-%d %H:%M") == "2031-01-06 14:30"
    refused = client.post(f"/care/mdt/{mdt.pk}/", {**date_and_time, "starts_at_time": "25:00"}, follow=True)
    assert "The time must be a time on the 24-hour clock" in refused.content.decode()

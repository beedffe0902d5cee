"""Building an agenda: the standard opening items, changing, moving and removing items; all audited,
all for the ICP's own managers, and closed once the minutes are approved."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from icp.audit.models import AuditEvent
from icp.governance.meetings import actions as meeting_actions
from icp.governance.meetings import agenda
from icp.governance.models import AgendaItem, Meeting, Paper
from icp.partnership.models import Committee, User
from tests.governance.clients import browser


@pytest.fixture
def coming(committee: Committee, demo_manager: User) -> Meeting:
    """A meeting in a fortnight with two items of business."""
    meeting = meeting_actions.schedule_meeting(
        committee=committee, date=date.today() + timedelta(days=14), location="Hall", by=demo_manager
    )
    for title in ("Frailty report", "Business cases"):
        meeting_actions.add_agenda_item(meeting=meeting, title=title, by=demo_manager)
    return meeting


def titles(meeting: Meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("number").values_list("title", flat=True))


def numbers(meeting: Meeting) -> list[int]:
    return list(meeting.agenda_items.order_by("number").values_list("number", flat=True))


def test_the_standard_items_go_at_the_top_in_order(coming: Meeting, demo_manager: User) -> None:
    agenda.add_standard_agenda(meeting=coming, by=demo_manager)
    assert titles(coming) == [
        "Welcome and apologies",
        "Declarations of interest",
        "Minutes of the last meeting",
        "Matters arising and the action log",
        "Frailty report",
        "Business cases",
    ]
    assert numbers(coming) == [1, 2, 3, 4, 5, 6]
    events = AuditEvent.objects.filter(action="agenda_item.create", detail__standard=True)
    assert events.count() == 4


def test_the_minutes_item_names_the_last_meeting(
    meeting: Meeting, coming: Meeting, demo_manager: User
) -> None:
    agenda.add_standard_agenda(meeting=coming, by=demo_manager)
    minutes = coming.agenda_items.get(title="Minutes of the last meeting")
    assert (
        minutes.summary
        == f"To agree the minutes of the meeting of {meeting.date:%-d %B %Y} as a true record."
    )


def test_standard_items_already_there_are_not_added_twice(coming: Meeting, demo_manager: User) -> None:
    meeting_actions.add_agenda_item(meeting=coming, title="Declarations of interest", by=demo_manager)
    agenda.add_standard_agenda(meeting=coming, by=demo_manager)
    assert titles(coming).count("Declarations of interest") == 1
    with pytest.raises(ValidationError, match="already has the standard items"):
        agenda.add_standard_agenda(meeting=coming, by=demo_manager)


def test_moving_swaps_with_the_neighbour_and_stops_at_the_ends(coming: Meeting, demo_manager: User) -> None:
    second = coming.agenda_items.get(title="Business cases")
    agenda.move_agenda_item(agenda_item=second, direction="up", by=demo_manager)
    assert titles(coming) == ["Business cases", "Frailty report"] and numbers(coming) == [1, 2]
    with pytest.raises(ValidationError, match="already first"):
        agenda.move_agenda_item(
            agenda_item=coming.agenda_items.get(number=1), direction="up", by=demo_manager
        )
    with pytest.raises(ValidationError, match="already last"):
        agenda.move_agenda_item(
            agenda_item=coming.agenda_items.get(number=2), direction="down", by=demo_manager
        )
    event = AuditEvent.objects.get(action="agenda_item.move")
    assert event.detail["from"] == 2 and event.detail["to"] == 1


def test_changing_an_item_keeps_its_place(coming: Meeting, demo_manager: User) -> None:
    item = coming.agenda_items.get(title="Frailty report")
    agenda.update_agenda_item(
        agenda_item=item,
        title="Frailty pathway report",
        purpose="decision",
        presenter="Dr A",
        by=demo_manager,
    )
    item.refresh_from_db()
    assert (item.number, item.title, item.purpose, item.presenter) == (
        1,
        "Frailty pathway report",
        "decision",
        "Dr A",
    )
    with pytest.raises(ValidationError):
        agenda.update_agenda_item(agenda_item=item, title="", purpose="decision", by=demo_manager)


def test_removing_closes_the_gap_and_takes_the_papers(
    coming: Meeting, demo_manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    agenda.add_standard_agenda(meeting=coming, by=demo_manager)
    item = coming.agenda_items.get(title="Declarations of interest")
    paper = meeting_actions.upload_paper(
        agenda_item=item, upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4\n%%EOF"), by=demo_manager
    )
    stored = paper.file.name
    with django_capture_on_commit_callbacks(execute=True):
        agenda.remove_agenda_item(agenda_item=item, by=demo_manager)
    assert "Declarations of interest" not in titles(coming)
    assert numbers(coming) == [1, 2, 3, 4, 5]
    assert not Paper.objects.filter(pk=paper.pk).exists()
    assert not paper.file.storage.exists(stored)
    event = AuditEvent.objects.get(action="agenda_item.remove")
    assert event.detail["papers"][0]["sha256"] == paper.sha256


def test_an_item_with_a_decision_stays(coming: Meeting, demo_manager: User) -> None:
    item = coming.agenda_items.get(title="Frailty report")
    meeting_actions.record_decision(
        meeting=coming, text="Agreed", outcome="agreed", agenda_item=item, by=demo_manager
    )
    with pytest.raises(ValidationError, match="decision was recorded"):
        agenda.remove_agenda_item(agenda_item=item, by=demo_manager)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_the_agenda_of_approved_minutes_is_part_of_the_record(meeting: Meeting, demo_manager: User) -> None:
    meeting_actions.approve_minutes(meeting=meeting, by=demo_manager)
    item = meeting.agenda_items.get()
    for change in (
        lambda: agenda.add_standard_agenda(meeting=meeting, by=demo_manager),
        lambda: agenda.update_agenda_item(agenda_item=item, title="x", purpose="decision", by=demo_manager),
        lambda: agenda.remove_agenda_item(agenda_item=item, by=demo_manager),
    ):
        with pytest.raises(ValidationError, match="minutes are approved"):
            change()


def test_another_icps_manager_is_refused_and_the_refusal_audited(
    coming: Meeting, other_manager: User
) -> None:
    item = coming.agenda_items.first()
    assert item is not None
    with pytest.raises(PermissionDenied):
        agenda.add_standard_agenda(meeting=coming, by=other_manager)
    with pytest.raises(PermissionDenied):
        agenda.move_agenda_item(agenda_item=item, direction="down", by=other_manager)
    with pytest.raises(PermissionDenied):
        agenda.remove_agenda_item(agenda_item=item, by=other_manager)
    assert titles(coming) == ["Frailty report", "Business cases"]
    assert AuditEvent.objects.filter(outcome="denied", action__startswith="agenda_item.").count() == 3


# Through the pages


def test_the_manager_builds_the_agenda_through_the_pages(coming: Meeting, demo_manager: User) -> None:
    client = browser(demo_manager)
    assert client.post(f"/governance/meetings/{coming.pk}/agenda/standard/").status_code == 302
    business = coming.agenda_items.get(title="Business cases")
    response = client.post(f"/governance/agenda-items/{business.pk}/move/", {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith("#agenda")
    assert titles(coming)[-2:] == ["Business cases", "Frailty report"]
    edit = f"/governance/agenda-items/{business.pk}/"
    assert "Business cases" in client.get(edit).content.decode()
    assert client.post(edit, {"title": "Cases for the LCG", "purpose": "decision"}).status_code == 302
    declarations = coming.agenda_items.get(title="Declarations of interest")
    confirm = client.get(f"/governance/agenda-items/{declarations.pk}/remove/").content.decode()
    assert "Remove “Declarations of interest” from the agenda?" in confirm
    assert client.post(f"/governance/agenda-items/{declarations.pk}/remove/").status_code == 302
    page = client.get(f"/governance/meetings/{coming.pk}/").content.decode()
    assert "Cases for the LCG" in page and ". Declarations of interest <span" not in page
    assert 'Move up<span class="nhsuk-u-visually-hidden"> Cases for the LCG</span>' in page


def test_bad_input_on_the_pages_gets_a_clear_answer_not_a_server_error(
    coming: Meeting, demo_manager: User
) -> None:
    client = browser(demo_manager)
    item = coming.agenda_items.get(title="Frailty report")
    response = client.post(f"/governance/agenda-items/{item.pk}/", {"title": "", "purpose": "gossip"})
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert "Purpose: Select a valid choice" in body and "Title: This field is required" in body
    moved = client.post(f"/governance/agenda-items/{item.pk}/move/", {"direction": "sideways"}, follow=True)
    assert "up or down: &#x27;sideways&#x27; is neither" in moved.content.decode()
    first = client.post(f"/governance/agenda-items/{item.pk}/move/", {"direction": "up"}, follow=True)
    assert "is already first on the agenda" in first.content.decode()
    assert client.get(f"/governance/agenda-items/{item.pk}/move/").status_code == 405
    assert client.post("/governance/agenda-items/999999/move/", {"direction": "up"}).status_code == 404


@pytest.mark.parametrize("who", ["other_manager", "demo_member"])
def test_only_the_icps_managers_reach_the_agenda_pages(
    request: pytest.FixtureRequest, coming: Meeting, who: str
) -> None:
    client = browser(request.getfixturevalue(who))
    item = coming.agenda_items.get(title="Frailty report")
    for method, url, data in (
        ("post", f"/governance/meetings/{coming.pk}/agenda/standard/", {}),
        ("get", f"/governance/agenda-items/{item.pk}/", {}),
        ("post", f"/governance/agenda-items/{item.pk}/move/", {"direction": "down"}),
        ("post", f"/governance/agenda-items/{item.pk}/remove/", {}),
    ):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert titles(coming) == ["Frailty report", "Business cases"]


def test_the_pages_need_the_csrf_token(coming: Meeting, demo_manager: User) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_manager)
    assert client.post(f"/governance/meetings/{coming.pk}/agenda/standard/").status_code == 403
    assert titles(coming) == ["Frailty report", "Business cases"]

"""The JSON API for MDTs: the user's MDTs, their meetings, a meeting's case list (each person
through the access decision, the view audited), and listing a person; refused to non-members."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care.mdt.actions import add_action, add_case, record_attendance, record_discussion, schedule_meeting
from icp.care.models import MdtList
from icp.patients.models import PatientIndex
from tests.care.plans.test_api import auth
from tests.sharing.conftest import World


def test_mdts_through_the_api(client: Client, shared_world: World, mdt: MdtList) -> None:
    w = shared_world
    gp = w.users["gp"]
    meeting = schedule_meeting(
        mdt_list=mdt,
        starts_at=timezone.now() + timedelta(days=2),
        by=gp,
        location="Health centre (synthetic)",
    )
    case = add_case(meeting=meeting, patient=w.patients["alice"], by=gp)
    record_attendance(
        meeting=meeting, name="A nurse (synthetic)", organisation=w.orgs["trust"], virtual=True, by=gp
    )
    record_discussion(case=case, discussion="Two falls (synthetic)", outcome="Falls service", by=gp)
    add_action(
        case=case,
        description="Refer to the falls service",
        owner_organisation=w.orgs["trust"],
        due_on=timezone.localdate() + timedelta(days=7),
        by=gp,
    )

    lists = client.get("/api/care/mdt-lists", **auth(w.users["trust"])).json()
    assert [(m["id"], m["next_meeting"]["id"]) for m in lists] == [(mdt.pk, meeting.public_id)]
    assert sorted(lists[0]["members"]) == sorted(
        [w.orgs["practice_a"].code, w.orgs["trust"].code, w.orgs["voluntary"].code]
    )
    assert client.get("/api/care/mdt-lists", **auth(w.users["pharmacist"])).json() == []
    meetings = client.get(f"/api/care/mdt-lists/{mdt.pk}/meetings", **auth(gp)).json()
    assert [m["id"] for m in meetings] == [meeting.public_id]

    read = client.get(f"/api/care/mdt-meetings/{meeting.public_id}", **auth(w.users["trust"]))
    assert read.status_code == 200, read.content
    body = read.json()
    [shown] = body["cases"]
    assert shown["patient_id"] == "pt-alice-0001" and shown["outcome"] == "Falls service"
    assert shown["actions"][0]["owner"] == w.orgs["trust"].code and body["attendance"][0]["virtual"] is True
    event = AuditEvent.objects.filter(action="mdt_meeting.view").latest("id")
    assert event.detail["shown"] == ["pt-alice-0001"]

    # Not a member: 403 for the list, its meetings and a meeting, each refusal audited.
    pharmacist = w.users["pharmacist"]
    assert client.get(f"/api/care/mdt-lists/{mdt.pk}/meetings", **auth(pharmacist)).status_code == 403
    assert client.get(f"/api/care/mdt-meetings/{meeting.public_id}", **auth(pharmacist)).status_code == 403
    assert AuditEvent.objects.filter(action="mdt_meeting.view", outcome="denied").exists()
    assert client.get("/api/care/mdt-meetings/nope", **auth(gp)).status_code == 404

    listed = client.post(
        f"/api/care/mdt-lists/{mdt.pk}/people",
        {"patient_id": "pt-bob-0002", "from_worklist": True},
        content_type="application/json",
        **auth(w.users["gp_b"]),
    )
    assert listed.status_code == 403  # practice B is not a member of this MDT
    # Bob is practice B's: practice A's GP has no relationship with him, so the access decision refuses.
    bob = PatientIndex.objects.get(patient_id="pt-bob-0002")
    refused = client.post(
        f"/api/care/mdt-lists/{mdt.pk}/people",
        {"patient_id": bob.patient_id},
        content_type="application/json",
        **auth(gp),
    )
    assert refused.status_code == 403
    paths = client.get("/api/openapi.json", **auth(gp)).json()["paths"]
    assert {
        "/api/care/mdt-lists",
        "/api/care/mdt-meetings/{meeting_id}",
        "/api/care/mdt-lists/{list_id}/people",
    } <= set(paths)

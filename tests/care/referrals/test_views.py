"""Referral pages: the GP refers from the person's page, the voluntary worker works the inbox, the
GP sees the outcome; an organisation party to neither sees nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client

from icp.audit.models import AuditEvent
from icp.care.referrals.models import Referral, Service
from icp.care.referrals.states import TaskStatus
from tests.sharing.conftest import World


def test_the_gp_to_voluntary_journey(client: Client, shared_world: World, service: Service) -> None:
    client.force_login(shared_world.users["gp"])
    form = client.get("/care/person/pt-alice-0001/refer/?need=food")
    assert form.status_code == 200 and service.name in form.content.decode()
    sent = client.post(
        "/care/person/pt-alice-0001/refer/",
        {"service": service.public_id, "reason": "Cannot get to the shops (synthetic)", "needs": ["food"]},
    )
    referral = Referral.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/care/referrals/{referral.public_id}/"
    assert referral.status == TaskStatus.REQUESTED and referral.needs == ["food"]

    client.force_login(shared_world.users["voluntary"])
    inbox = client.get("/care/referrals/inbox/").content.decode()
    assert "ZEPHYRINE, Alice" in inbox and "requested" in inbox
    page = client.get(f"/care/referrals/{referral.public_id}/").content.decode()
    assert 'value="accepted"' in page and 'value="rejected"' in page and 'value="cancelled"' not in page
    client.post(f"/care/referrals/{referral.public_id}/move/", {"status": "accepted", "version": "1"})
    client.post(
        f"/care/referrals/{referral.public_id}/move/",
        {"status": "completed", "output": "Weekly shopping delivery arranged (synthetic)"},
    )
    referral.refresh_from_db()
    assert referral.status == TaskStatus.COMPLETED

    client.force_login(shared_world.users["gp"])
    outbox = client.get("/care/referrals/outbox/").content.decode()
    assert "Weekly shopping delivery arranged" in outbox
    assert (
        "Weekly shopping delivery arranged"
        in client.get(f"/care/referrals/{referral.public_id}/").content.decode()
    )


def test_a_refused_move_says_why_and_changes_nothing(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(TaskStatus.REQUESTED)
    client.force_login(shared_world.users["gp"])
    response = client.post(f"/care/referrals/{referral.public_id}/move/", {"status": "accepted"}, follow=True)
    assert "Only the owner&#x27;s organisation may move" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == TaskStatus.REQUESTED


def test_an_organisation_party_to_neither_gets_403(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(TaskStatus.REQUESTED)
    client.force_login(shared_world.users["pharmacist"])
    assert client.get(f"/care/referrals/{referral.public_id}/").status_code == 403
    assert (
        client.post(f"/care/referrals/{referral.public_id}/move/", {"status": "accepted"}).status_code == 403
    )
    assert "No referrals." in client.get("/care/referrals/inbox/").content.decode()
    client.force_login(shared_world.users["analyst"])
    assert client.get("/care/referrals/inbox/").status_code == 403


def test_the_outbox_shows_breaches_of_the_services_stated_time(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(TaskStatus.REQUESTED)
    Referral.objects.filter(pk=referral.pk).update(requested_at=referral.requested_at - timedelta(days=5))
    client.force_login(shared_world.users["gp"])
    outbox = client.get("/care/referrals/outbox/").content.decode()
    assert "1 past the service" in outbox and "waiting 5 days: the service answers within 3 days" in outbox


def test_referring_a_person_without_a_relationship_is_refused(client: Client, shared_world: World) -> None:
    client.force_login(shared_world.users["gp"])
    assert client.get("/care/person/pt-bob-0002/refer/").status_code == 403


def test_a_rejected_referral_is_rerouted_from_its_page(
    client: Client, shared_world: World, make_referral: Callable[..., Referral], other_service: Service
) -> None:
    referral = make_referral(TaskStatus.REJECTED)
    client.force_login(shared_world.users["gp"])
    assert other_service.name in client.get(f"/care/referrals/{referral.public_id}/").content.decode()
    response = client.post(
        f"/care/referrals/{referral.public_id}/reroute/", {"service": other_service.public_id}
    )
    new = Referral.objects.get(replaces=referral)
    assert response["Location"] == f"/care/referrals/{new.public_id}/"


def test_the_directory_page(client: Client, shared_world: World, service: Service) -> None:
    client.force_login(shared_world.users["voluntary"])
    page = client.get("/care/services/?need=loneliness").content.decode()
    assert service.name in page and "answers within 3 days" in page


def test_an_organisation_party_to_neither_sees_nothing_on_any_page_and_each_refusal_is_audited(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(TaskStatus.REQUESTED)
    client.force_login(shared_world.users["pharmacist"])
    page = client.get(f"/care/referrals/{referral.public_id}/")
    assert page.status_code == 403 and "Zephyrine" not in page.content.decode()
    refusal = AuditEvent.objects.filter(action="referral.read", outcome="denied").get()
    assert refusal.target_id == referral.public_id and refusal.detail["code"] == "not-referral-party"
    for box in ("inbox", "outbox"):
        listed = client.get(f"/care/referrals/{box}/").content.decode()
        assert "No referrals." in listed and "ZEPHYRINE" not in listed


def test_the_owner_reads_the_referral_but_not_the_persons_record_until_it_accepts(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(TaskStatus.REQUESTED)
    client.force_login(shared_world.users["voluntary"])
    page = client.get(f"/care/referrals/{referral.public_id}/").content.decode()
    assert "ZEPHYRINE, Alice" in page and "struggling with shopping" in page
    assert client.get("/care/person/pt-alice-0001/").status_code == 403
    client.post(f"/care/referrals/{referral.public_id}/move/", {"status": "accepted"})
    assert client.get("/care/person/pt-alice-0001/").status_code == 200


def test_inbox_and_outbox_are_each_one_audit_event_naming_the_people_shown(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    make_referral(TaskStatus.REQUESTED)
    client.force_login(shared_world.users["voluntary"])
    client.get("/care/referrals/inbox/")
    event = AuditEvent.objects.filter(action="referral.list").get()
    assert event.detail["box"] == "inbox" and event.detail["count"] == 1
    assert list(event.subjects.values_list("patient_ref", flat=True)) == ["pt-alice-0001"]

"""Reading referrals: every read is the access decision's referral basis, and its event is the read's.

One referral: the decision's audit event is the one event (allowed or refused); refused is 403.
A list: the query narrows to the organisation's referrals, the decision judges each row shown, and
the list is one audit event naming the people shown.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from icp.audit.events import EventType
from icp.audit.models import AuditEvent
from icp.care.referrals import queries
from icp.care.referrals.models import Referral
from icp.care.referrals.states import Party, TaskStatus
from tests.sharing.conftest import World

S = TaskStatus


def new_events(before: int) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(id__gt=before)
        .order_by("id")
        .values_list("action", "outcome", "actor_username")
    )


def head() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.id if last else 0


def test_a_party_reads_the_referral_and_the_decision_is_the_one_audit_event(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    for user, party in (("gp", Party.REQUESTER), ("voluntary", Party.OWNER)):
        before = head()
        read, side = queries.read(shared_world.users[user], referral.public_id)
        assert (read, side) == (referral, party)
        assert new_events(before) == [("referral.read", "allowed", user)]
        event = AuditEvent.objects.get(id__gt=before)
        assert event.detail["code"] == "allowed" and event.detail["referral"] == referral.public_id


def test_anyone_else_is_refused_with_403_and_one_audited_refusal(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    before = head()
    with pytest.raises(PermissionDenied, match="referring and the receiving organisations"):
        queries.read(shared_world.users["pharmacist"], referral.public_id)
    assert new_events(before) == [("referral.read", "denied", "pharmacist")]
    with pytest.raises(PermissionDenied, match="still a draft"):
        queries.read(shared_world.users["voluntary"], make_referral(S.DRAFT).public_id)


def test_an_unknown_referral_is_404_and_nothing_is_decided(shared_world: World) -> None:
    before = head()
    with pytest.raises(Http404):
        queries.read(shared_world.users["gp"], "no-such-referral")
    assert new_events(before) == []


def test_a_list_shows_the_rows_the_decision_allows_as_one_event(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    mine = make_referral(S.REQUESTED)
    draft = make_referral(S.DRAFT)
    voluntary = shared_world.users["voluntary"]
    inbox = list(queries.box(voluntary, "inbox"))
    assert inbox == [mine]  # the owner's inbox holds no draft
    before = head()
    # Rows the query did not narrow away are still judged: a draft put in the list is not shown.
    assert queries.shown(voluntary, [mine, draft], EventType.REFERRAL_LIST, box="inbox") == [mine]
    assert new_events(before) == [("referral.list", "allowed", "voluntary")]
    event = AuditEvent.objects.get(id__gt=before)
    assert event.detail["referrals"] == [mine.public_id] and event.detail["refused"] == {"referral-draft": 1}
    assert list(event.subjects.values_list("patient_ref", flat=True)) == ["pt-alice-0001"]

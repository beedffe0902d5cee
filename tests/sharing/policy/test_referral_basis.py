"""The access decision's referral basis: being party to a referral opens that referral, nothing more.

The requester's organisation (from the draft on) and the owner's (from `requested` on) may see the
referral's own data: who the person is and why they are referred (`demographics`, with the reason).
Anyone else is refused, and so is any other part of the record: that opens only through a
relationship with the person, which an accepted referral creates. Every decision is audited, and a
list (inbox, outbox, search) is decided row by row without a query per row, as one audit event.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icp.audit.events import EventType
from icp.audit.models import AuditEvent
from icp.care.referrals.actions import move_referral
from icp.care.referrals.models import Referral
from icp.care.referrals.states import TaskStatus
from icp.partnership.models import User
from icp.partnership.roles import UserRole
from icp.sharing.policy import Code, Decision, decide, decide_many, decide_referrals
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, Purpose
from tests.care.referrals.conftest import make_referral, service, user_in
from tests.sharing.conftest import World
from tests.sharing.policy.conftest import add_team, choose, last_event

__all__ = ["make_referral", "service", "user_in"]

C = DataCategory
P = Purpose
S = TaskStatus


def see(
    user: User, referral: Referral, purpose: str = P.CARE_COORDINATION, category: str = C.DEMOGRAPHICS
) -> Decision:
    """The decision on one referral, as every referral page, API and FHIR read asks it."""
    return decide(
        user, referral.patient, purpose, category, action=EventType.REFERRAL_READ, referral=referral
    )


# -- the parties ---------------------------------------------------------------------------------


def test_the_requester_and_the_owner_may_see_the_referral_and_each_look_is_audited(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    w, referral = shared_world, make_referral(S.REQUESTED)
    requester = see(w.users["gp"], referral, P.DIRECT_CARE)
    assert requester.allowed and requester.code == Code.ALLOWED and requester.party == "requester"
    owner = see(w.users["voluntary"], referral)
    assert owner.allowed and owner.party == "owner" and owner.referral == referral.public_id
    assert owner.relationship == f"referral {referral.public_id}, as the receiving organisation"
    event = last_event()
    assert (event.action, event.outcome, event.actor_username) == ("referral.read", "allowed", "voluntary")
    assert (event.target_type, event.target_id, event.patient_ref) == (
        "care.referral",
        referral.public_id,
        "pt-alice-0001",
    )
    assert event.purpose == P.CARE_COORDINATION
    assert event.detail.items() >= {"category": "demographics", "code": "allowed", "party": "owner"}.items()


@pytest.mark.parametrize("status", [s for s in TaskStatus if s != S.DRAFT])
def test_the_owner_may_see_it_from_requested_on_whatever_became_of_it(
    shared_world: World, make_referral: Callable[..., Referral], status: TaskStatus
) -> None:
    assert see(shared_world.users["voluntary"], make_referral(status)).allowed


def test_the_owner_sees_nothing_of_a_draft_and_the_requester_does(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    draft = make_referral(S.DRAFT)
    refused = see(shared_world.users["voluntary"], draft)
    assert refused.code == Code.REFERRAL_DRAFT and not refused.party
    assert see(shared_world.users["gp"], draft, P.DIRECT_CARE).allowed
    assert last_event().outcome == "allowed"


# -- everyone else -------------------------------------------------------------------------------


def test_an_organisation_party_to_neither_side_is_refused_and_the_refusal_is_audited(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    w, referral = shared_world, make_referral(S.REQUESTED)
    refused = see(w.users["pharmacist"], referral, P.DIRECT_CARE)
    assert refused.code == Code.NOT_REFERRAL_PARTY and not refused.allowed
    assert "referring and the receiving organisations" in refused.reason
    event = last_event()
    assert (event.action, event.outcome, event.target_id) == ("referral.read", "denied", referral.public_id)
    assert event.detail["code"] == "not-referral-party"


def test_a_relationship_with_the_person_does_not_open_someone_elses_referral(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    """The pharmacy in Alice's care team may read her record, not the practice's referral of her."""
    w, referral = shared_world, make_referral(S.REQUESTED)
    add_team(w, "alice", "pharmacy")
    assert decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE).allowed
    assert see(w.users["pharmacist"], referral, P.DIRECT_CARE).code == Code.NOT_REFERRAL_PARTY


def test_the_users_own_checks_still_come_first(
    shared_world: World,
    make_referral: Callable[..., Referral],
    user_in: Callable[[str, str], User],
    make_user,  # type: ignore[no-untyped-def]
) -> None:
    referral = make_referral(S.REQUESTED)
    manager = user_in(UserRole.ICP_MANAGER, "voluntary")  # the owner's organisation, not a care role
    assert see(manager, referral, P.PLANNING).code == Code.NOT_IDENTIFIABLE
    assert see(manager, referral, P.DIRECT_CARE).code == Code.ROLE_PURPOSE
    assert see(shared_world.users["voluntary"], referral, P.DIRECT_CARE).code == Code.ROLE_PURPOSE
    assert see(make_user(UserRole.GP), referral, P.DIRECT_CARE).code == Code.NO_ORGANISATION


# -- that referral's own data, and only it --------------------------------------------------------


def test_the_owner_cannot_read_the_wider_record_before_acceptance_but_can_after(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    w, referral = shared_world, make_referral(S.REQUESTED)
    voluntary, alice = w.users["voluntary"], w.patients["alice"]
    on_the_referral = decide_many(
        voluntary,
        alice,
        P.CARE_COORDINATION,
        [C.DEMOGRAPHICS, C.CARE_PLANS, C.SOCIAL_CARE],
        referral=referral,
    )
    assert on_the_referral[C.DEMOGRAPHICS].allowed
    assert on_the_referral[C.CARE_PLANS].code == Code.REFERRAL_SCOPE
    assert on_the_referral[C.SOCIAL_CARE].code == Code.REFERRAL_SCOPE
    # The record itself is the ordinary question, and the referral alone is no relationship.
    for category in (C.DEMOGRAPHICS, C.CARE_PLANS):
        assert decide(voluntary, alice, P.CARE_COORDINATION, category).code == Code.NO_RELATIONSHIP

    move_referral(referral=referral, to_status=S.ACCEPTED, by=voluntary)
    after = decide(voluntary, alice, P.CARE_COORDINATION, C.CARE_PLANS)
    assert after.allowed and after.code == Code.ALLOWED and "referral" in after.relationship
    assert after.agreement  # the rest of the record opens as agreements allow
    # The referral basis itself never widens, accepted or not.
    assert see(voluntary, referral, category=C.CARE_PLANS).code == Code.REFERRAL_SCOPE


def test_the_referral_basis_is_for_care_purposes_only(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(S.REQUESTED)
    refused = see(shared_world.users["gp"], referral, P.RISK_STRATIFICATION)
    assert refused.code == Code.REFERRAL_SCOPE and "care coordination" in refused.reason


def test_the_referral_is_read_though_the_person_later_withdrew_consent_but_the_record_is_not(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    """The referral is the disclosure the referrer made; the person's choices govern the record."""
    w, referral = shared_world, make_referral(S.REQUESTED)
    move_referral(referral=referral, to_status=S.ACCEPTED, by=w.users["voluntary"])
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.WITHDRAWN)
    assert see(w.users["voluntary"], referral).allowed
    record = decide(w.users["voluntary"], w.patients["alice"], P.CARE_COORDINATION, C.CARE_PLANS)
    assert record.code == Code.CONSENT_WITHDRAWN


def test_a_referral_about_someone_else_is_a_mistake_not_a_basis(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    with pytest.raises(ValueError, match="not about this person"):
        decide(
            shared_world.users["gp"],
            shared_world.patients["bob"],
            P.DIRECT_CARE,
            referral=make_referral(S.REQUESTED),
        )


# -- lists ----------------------------------------------------------------------------------------


def _listed(n: int, make_referral: Callable[..., Referral]) -> list[Referral]:
    made = [make_referral(S.REQUESTED) for _ in range(n)]
    return list(Referral.objects.filter(pk__in=[r.pk for r in made]).select_related("patient"))


def test_a_list_is_decided_row_by_row_as_one_audit_event_naming_whom_it_showed(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    w, rows = shared_world, _listed(2, make_referral)
    before = AuditEvent.objects.count()
    decisions = decide_referrals(
        w.users["voluntary"],
        rows,
        P.CARE_COORDINATION,
        action=EventType.REFERRAL_LIST,
        detail={"box": "inbox"},
    )
    assert [d.allowed for d in decisions] == [True, True] and {d.party for d in decisions} == {"owner"}
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert (event.action, event.outcome, event.target_type) == ("referral.list", "allowed", "care.referral")
    assert sorted(event.detail["referrals"]) == sorted(r.public_id for r in rows)
    assert event.detail["count"] == 2 and event.detail["box"] == "inbox" and event.detail["refused"] == {}
    assert list(event.subjects.values_list("patient_ref", flat=True)) == ["pt-alice-0001"]

    strangers = decide_referrals(w.users["pharmacist"], rows, P.DIRECT_CARE, action=EventType.REFERRAL_LIST)
    assert {d.code for d in strangers} == {Code.NOT_REFERRAL_PARTY}
    assert last_event().detail["refused"] == {"not-referral-party": 2}
    assert (last_event().detail["count"], last_event().detail["referrals"]) == (0, [])
    assert not last_event().subjects.exists()


def test_a_role_that_does_no_care_work_is_refused_the_whole_list(
    shared_world: World, make_referral: Callable[..., Referral], user_in: Callable[[str, str], User]
) -> None:
    manager = user_in(UserRole.ICP_MANAGER, "voluntary")
    decisions = decide_referrals(
        manager, _listed(1, make_referral), P.DIRECT_CARE, action=EventType.REFERRAL_LIST
    )
    assert [d.code for d in decisions] == [Code.ROLE_PURPOSE]
    assert last_event().outcome == "denied"


def test_a_list_costs_no_query_per_referral(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    voluntary = shared_world.users["voluntary"]

    def queries_for(n: int) -> int:
        rows = _listed(n, make_referral)
        with CaptureQueriesContext(connection) as captured:
            decide_referrals(voluntary, rows, P.CARE_COORDINATION, action=EventType.REFERRAL_LIST)
        return len(captured)

    assert queries_for(1) == queries_for(6)

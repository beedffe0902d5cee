"""What the decision knows of a request (`policy.facts`): the person named by an opaque id, the
legitimate relationship read from `patients.CareRelationship` rows (opened by the care workflows'
actions, or directly through `patients.actions` for kinds whose workflows are still to come) and the
registered practice, and whose break glass on whom is in force. Each is seen through `decide`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from icp.care import actions as care_actions
from icp.care.referrals.actions import create_referral, move_referral
from icp.patients.actions import Source, close_relationship, open_relationship
from icp.patients.models import RelationshipKind
from icp.sharing import actions
from icp.sharing.policy import Code, decide
from icp.sharing.vocabulary import DataCategory, Purpose
from tests.sharing.conftest import World
from tests.sharing.policy.conftest import add_team, befriending, last_event, linked_record

C = DataCategory
P = Purpose


def test_patient_can_be_named_by_opaque_id(shared_world: World) -> None:
    assert decide(shared_world.users["gp"], "pt-alice-0001", P.DIRECT_CARE).allowed


def test_care_team_organisation_is_a_relationship(shared_world: World) -> None:
    w = shared_world
    add_team(w, "alice", "pharmacy", role="community pharmacist")
    decision = decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE, C.MEDICATIONS)
    assert decision.allowed and "care team" in decision.relationship


def test_care_team_entry_naming_one_user_admits_only_that_user(shared_world: World) -> None:
    w = shared_world
    add_team(w, "alice", "trust", user="trust", role="district nurse")
    assert decide(w.users["trust"], w.patients["alice"], P.DIRECT_CARE, C.CONDITIONS).allowed
    other = decide(w.users["trust_2"], w.patients["alice"], P.DIRECT_CARE, C.CONDITIONS)
    assert other.code == Code.NO_RELATIONSHIP


def test_ended_care_team_membership_is_no_relationship(shared_world: World) -> None:
    w = shared_world
    member = add_team(w, "alice", "pharmacy")
    care_actions.end_care_team_membership(
        member=member, end_date=timezone.localdate() - timedelta(days=1), by=w.users["manager"]
    )
    assert decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE).code == Code.NO_RELATIONSHIP


def test_an_accepted_referral_to_the_users_service_is_a_relationship_and_completing_it_ends_it(
    shared_world: World,
) -> None:
    w = shared_world
    referral = create_referral(
        patient=w.patients["alice"], service=befriending(w), reason="Lonely (synthetic)", by=w.users["gp"]
    )
    requested = decide(w.users["voluntary"], w.patients["alice"], P.CARE_COORDINATION, C.CARE_PLANS)
    assert requested.code == Code.NO_RELATIONSHIP  # a referral not yet accepted opens nothing
    move_referral(referral=referral, to_status="accepted", by=w.users["voluntary"])
    decision = decide(w.users["voluntary"], w.patients["alice"], P.CARE_COORDINATION, C.CARE_PLANS)
    assert decision.allowed and "referral" in decision.relationship
    move_referral(referral=referral, to_status="completed", by=w.users["voluntary"])
    denied = decide(w.users["voluntary"], w.patients["alice"], P.CARE_COORDINATION, C.CARE_PLANS)
    assert denied.code == Code.NO_RELATIONSHIP


def test_mdt_list_entry_is_a_relationship_until_removed(shared_world: World) -> None:
    w = shared_world
    mdt = care_actions.create_mdt_list(
        icp=w.icp,
        name="Frailty MDT (synthetic)",
        members=[w.orgs["trust"], w.orgs["practice_a"]],
        by=w.governor,
    )
    entry = care_actions.add_to_mdt_list(mdt_list=mdt, patient=w.patients["alice"], by=w.users["gp"])
    decision = decide(w.users["socialworker"], w.patients["alice"], P.DIRECT_CARE, C.CONDITIONS)
    assert decision.allowed and "MDT" in decision.relationship
    care_actions.remove_from_mdt_list(entry=entry, by=w.users["gp"])
    assert decide(w.users["socialworker"], w.patients["alice"], P.DIRECT_CARE).code == Code.NO_RELATIONSHIP


def test_pathway_enrolment_and_emergency_response_relationships_are_read_from_the_same_table(
    shared_world: World,
) -> None:
    w = shared_world
    alice, manager = w.patients["alice"], w.users["manager"]
    assert decide(w.users["trust"], alice, P.DIRECT_CARE).code == Code.NO_RELATIONSHIP
    enrolment = open_relationship(
        patient=alice,
        kind=RelationshipKind.PATHWAY_ENROLMENT,
        source=Source("care.enrolment", "1"),
        organisation=w.orgs["trust"],
        label="Frailty (synthetic)",
        by=manager,
    )
    decision = decide(w.users["trust"], alice, P.DIRECT_CARE)
    assert decision.allowed and decision.relationship == "enrolled on the pathway Frailty (synthetic)"
    close_relationship(relationship=enrolment, by=manager)
    assert decide(w.users["trust"], alice, P.DIRECT_CARE).code == Code.NO_RELATIONSHIP
    open_relationship(
        patient=alice,
        kind=RelationshipKind.EMERGENCY_RESPONSE,
        source=Source("care.emergencylistentry", "7"),
        organisation=w.orgs["ambulance"],
        label="Winter resilience (synthetic)",
        by=manager,
    )
    assert "emergency-response list" in decide(w.users["ambulance"], alice, P.DIRECT_CARE).relationship


def test_a_relationship_with_one_user_alone_admits_that_user_only(shared_world: World) -> None:
    w = shared_world
    open_relationship(
        patient=w.patients["alice"],
        kind=RelationshipKind.CARE_TEAM,
        source=Source("care.careteammember", "99"),
        user=w.users["trust"],
        label="key worker",
        by=w.users["manager"],
    )
    assert decide(w.users["trust"], w.patients["alice"], P.DIRECT_CARE).relationship == (
        "member of the care team (key worker)"
    )
    assert decide(w.users["trust_2"], w.patients["alice"], P.DIRECT_CARE).code == Code.NO_RELATIONSHIP


def test_a_relationship_starting_tomorrow_does_not_hold_today(shared_world: World) -> None:
    w = shared_world
    open_relationship(
        patient=w.patients["alice"],
        kind=RelationshipKind.CARE_TEAM,
        source=Source("care.careteammember", "98"),
        organisation=w.orgs["pharmacy"],
        starts=timezone.localdate() + timedelta(days=1),
        by=w.users["manager"],
    )
    assert decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE).code == Code.NO_RELATIONSHIP
    tomorrow = decide(
        w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE, on=timezone.localdate() + timedelta(days=1)
    )
    assert tomorrow.allowed


def test_the_registered_practice_is_derived_from_the_index_not_stored(shared_world: World) -> None:
    from icp.patients.models import CareRelationship

    w = shared_world
    assert decide(w.users["gp"], w.patients["alice"], P.DIRECT_CARE).relationship == "registered practice"
    assert not CareRelationship.objects.filter(patient=w.patients["alice"]).exists()
    alice = w.patients["alice"]
    alice.practice = w.orgs["practice_b"]
    alice.save()
    assert decide(w.users["gp"], alice, P.DIRECT_CARE).code == Code.NO_RELATIONSHIP
    assert decide(w.users["gp_b"], alice, P.DIRECT_CARE).relationship == "registered practice"


def test_ambulance_clinician_is_allowed_in_an_emergency_without_a_prior_relationship(
    shared_world: World,
) -> None:
    w = shared_world
    decision = decide(w.users["ambulance"], w.patients["bob"], P.EMERGENCY, C.MEDICATIONS)
    assert decision.allowed and "emergency" in decision.relationship
    assert decide(w.users["ambulance"], w.patients["bob"], P.DIRECT_CARE).code == Code.NO_RELATIONSHIP


def test_identifiable_case_finding_is_for_the_registered_practice_and_the_caseload(
    shared_world: World,
) -> None:
    w = shared_world
    assert decide(w.users["gp"], w.patients["alice"], P.RISK_STRATIFICATION, C.CONDITIONS).allowed
    # A GP finds cases on their own list only...
    other_list = decide(w.users["gp"], w.patients["bob"], P.RISK_STRATIFICATION, C.CONDITIONS)
    assert other_list.code == Code.NO_RELATIONSHIP
    # ...and on their caseload: a care team membership is a relationship for case finding too.
    add_team(w, "bob", "practice_a", user="gp")
    caseload = decide(w.users["gp"], w.patients["bob"], P.RISK_STRATIFICATION, C.CONDITIONS)
    assert caseload.allowed and "caseload" in caseload.relationship
    # An analyst never opens a named record: the population view is pseudonymised.
    analyst = decide(w.users["analyst"], w.patients["bob"], P.RISK_STRATIFICATION, C.CONDITIONS)
    assert analyst.code == Code.NO_RELATIONSHIP


def test_break_glass_belongs_to_one_user(shared_world: World) -> None:
    w = shared_world
    actions.break_glass(
        patient=w.patients["alice"],
        reason="Collapsed in the pharmacy, unresponsive",
        by=w.users["pharmacist"],
    )
    assert decide(w.users["trust"], w.patients["alice"], P.DIRECT_CARE).code == Code.NO_RELATIONSHIP


def test_break_glass_follows_the_person_to_each_of_their_linked_records(shared_world: World) -> None:
    """Glass broken on the trust's record of Alice opens her GP record too (the same human being),
    and nobody else's."""
    w = shared_world
    pharmacist, alice = w.users["pharmacist"], w.patients["alice"]
    trust_record = linked_record(w, "alice", "practice_b")
    assert not decide(pharmacist, alice, P.DIRECT_CARE, C.MEDICATIONS)
    actions.break_glass(patient=trust_record, reason="Collapsed in the pharmacy, unresponsive", by=pharmacist)
    decision = decide(pharmacist, alice, P.DIRECT_CARE, C.MEDICATIONS)
    assert decision.allowed and decision.code == Code.BREAK_GLASS
    assert last_event().outcome == "break-glass"
    assert decide(pharmacist, w.patients["bob"], P.DIRECT_CARE, C.MEDICATIONS).code == Code.NO_RELATIONSHIP

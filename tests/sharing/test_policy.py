"""The access decision, path by path: every allow and every deny of `policy.decide`, each audited.

Relationships come from `patients.CareRelationship` rows, opened by the care workflows' actions (or
directly through `patients.actions` for kinds whose workflows are still to come).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care import actions as care_actions
from icp.care.models import CareTeamMember
from icp.care.referrals.actions import create_referral, move_referral
from icp.care.referrals.models import Service, ServiceType
from icp.partnership.roles import UserRole
from icp.patients.actions import Source, close_relationship, open_relationship
from icp.patients.models import PatientIndex, RelationshipKind
from icp.sharing import actions
from icp.sharing.models import BreakGlass
from icp.sharing.policy import Code, decide, decide_many, evaluate_many, evaluate_people, planning_opt_outs
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, Purpose
from tests.care.referrals.conftest import accepted_referral
from tests.sharing.conftest import World

C = DataCategory
P = Purpose


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    return event


def add_team(world: World, patient: str, org: str, user: str | None = None, role: str = "") -> CareTeamMember:
    """Put an organisation (or one user) in the care team through the care action, as an ICP manager."""
    return care_actions.add_care_team_member(
        patient=world.patients[patient],
        organisation=world.orgs[org],
        user=world.users[user] if user else None,
        role=role,
        start_date=timezone.localdate() - timedelta(days=10),
        by=world.users["manager"],
    )


def refer(world: World, patient: str, to: str) -> object:
    return accepted_referral(world, patient, to)


def befriending(world: World) -> Service:
    return Service.objects.create(
        organisation=world.orgs["voluntary"],
        name="Befriending (synthetic)",
        type=ServiceType.VOLUNTARY_SUPPORT,
        eligibility="Adults who are lonely",
    )


# -- allowed --------------------------------------------------------------------------------------


def test_registered_practice_gp_is_allowed_and_the_allowance_is_audited(shared_world: World) -> None:
    w = shared_world
    before = AuditEvent.objects.count()
    decision = decide(w.users["gp"], w.patients["alice"], P.DIRECT_CARE, C.CONDITIONS)
    assert decision.allowed and decision.code == Code.ALLOWED
    assert decision.relationship == "registered practice"
    assert decision.agreement.startswith("DSA-NI-NOR-CA-")
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert (event.action, event.outcome, event.patient_ref) == ("record.access", "allowed", "pt-alice-0001")
    assert event.actor_username == "gp" and event.actor_role == UserRole.GP
    assert event.purpose == P.DIRECT_CARE and event.detail["category"] == C.CONDITIONS
    assert event.detail["icp"] == "NI-NOR-CA"


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


@pytest.mark.parametrize("user", ["manager", "analyst", "gp", "gp_b"])
def test_planning_never_opens_a_named_record(shared_world: World, user: str) -> None:
    """Caldicott: planning and evaluation see aggregates or pseudonyms, whoever asks and for whom."""
    for patient in ("alice", "bob"):
        decision = decide(shared_world.users[user], shared_world.patients[patient], P.PLANNING, C.ENCOUNTERS)
        assert not decision.allowed
        assert decision.code == Code.NOT_IDENTIFIABLE
        assert "aggregate or pseudonymised" in decision.reason


# -- denied before the person is looked at -------------------------------------------------------


def test_unauthenticated_request_is_denied_and_audited(shared_world: World) -> None:
    decision = decide(AnonymousUser(), shared_world.patients["alice"], P.DIRECT_CARE)
    assert not decision and decision.code == Code.UNAUTHENTICATED
    event = last_event()
    assert event.outcome == "denied" and event.actor_username == "" and event.patient_ref == "pt-alice-0001"


def test_inactive_user_is_treated_as_logged_out(shared_world: World) -> None:
    gp = shared_world.users["gp"]
    gp.is_active = False
    gp.save()
    assert decide(gp, shared_world.patients["alice"], P.DIRECT_CARE).code == Code.UNAUTHENTICATED


def test_unknown_purpose_and_category_are_denied(shared_world: World) -> None:
    w = shared_world
    assert decide(w.users["gp"], w.patients["alice"], "curiosity").code == Code.UNKNOWN_PURPOSE
    assert decide(w.users["gp"], w.patients["alice"], P.DIRECT_CARE, "genome").code == Code.UNKNOWN_CATEGORY


def test_role_that_never_reads_records_is_denied(shared_world: World) -> None:
    decision = decide(shared_world.users["iglead"], shared_world.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.ROLE_PURPOSE
    assert last_event().outcome == "denied"


def test_voluntary_worker_asking_for_clinical_categories_is_denied(shared_world: World) -> None:
    w = shared_world
    refer(w, "alice", "voluntary")
    for category in (C.CONDITIONS, C.MEDICATIONS, C.OBSERVATIONS, C.ENCOUNTERS, C.SAFEGUARDING):
        decision = decide(w.users["voluntary"], w.patients["alice"], P.CARE_COORDINATION, category)
        assert decision.code == Code.ROLE_CATEGORY, category
    assert decide(w.users["voluntary"], w.patients["alice"], P.DIRECT_CARE).code == Code.ROLE_PURPOSE


def test_unknown_patient_is_denied_without_saying_whether_it_exists(shared_world: World) -> None:
    decision = decide(shared_world.users["gp"], "pt-no-such-person", P.DIRECT_CARE)
    assert decision.code == Code.UNKNOWN_PATIENT
    assert "available to you" in decision.reason
    assert last_event().patient_ref == "pt-no-such-person"


# -- denied by ICP, agreement, relationship -------------------------------------------------------


def test_user_without_organisation_is_denied(shared_world: World, make_user) -> None:  # type: ignore[no-untyped-def]
    orphan = make_user(UserRole.GP)
    assert decide(orphan, shared_world.patients["alice"], P.DIRECT_CARE).code == Code.NO_ORGANISATION


def test_another_icps_user_is_denied(shared_world: World) -> None:
    w = shared_world
    decision = decide(w.users["other_gp"], w.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.OTHER_ICP
    # … and the other ICP's own GP sees their own patient.
    assert decide(w.users["other_gp"], w.patients["carol"], P.DIRECT_CARE).allowed
    assert decide(w.users["gp"], w.patients["carol"], P.DIRECT_CARE).code == Code.OTHER_ICP


def test_organisation_with_no_agreement_is_denied(world: World) -> None:
    decision = decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.NO_AGREEMENT
    assert "not a party" in decision.reason


def test_expired_agreement_is_denied(world: World) -> None:
    today = timezone.localdate()
    world.make_agreement(
        ["practice_a", "trust"],
        [P.DIRECT_CARE],
        start=today - timedelta(days=400),
        end=today - timedelta(days=1),
    )
    decision = decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.AGREEMENT_NOT_IN_FORCE and "expired" in decision.reason


def test_agreement_ending_today_is_still_in_force(world: World) -> None:
    today = timezone.localdate()
    world.make_agreement(["practice_a", "trust"], [P.DIRECT_CARE], start=today - timedelta(days=5), end=today)
    assert decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE).allowed


def test_draft_agreement_is_denied(world: World) -> None:
    world.make_agreement(["practice_a", "trust"], [P.DIRECT_CARE], sign=False)
    decision = decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.AGREEMENT_NOT_IN_FORCE and "draft" in decision.reason


def test_withdrawn_agreement_is_denied(world: World) -> None:
    agreement = world.make_agreement(["practice_a", "trust"], [P.DIRECT_CARE])
    assert decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE).allowed
    actions.withdraw_agreement(agreement=agreement, reason="partner left the ICP", by=world.governor)
    decision = decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.AGREEMENT_NOT_IN_FORCE and "withdrawn" in decision.reason


def test_agreement_not_yet_started_is_denied(world: World) -> None:
    world.make_agreement(
        ["practice_a", "trust"], [P.DIRECT_CARE], start=timezone.localdate() + timedelta(days=3)
    )
    decision = decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.AGREEMENT_NOT_IN_FORCE and "starts on" in decision.reason


def test_agreement_not_covering_the_purpose_is_denied(world: World) -> None:
    world.make_agreement(["practice_a", "trust"], [P.CARE_COORDINATION])
    assert decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE).code == Code.AGREEMENT_PURPOSE


def test_agreement_not_covering_the_category_is_denied(world: World) -> None:
    world.make_agreement(["practice_a", "trust"], [P.DIRECT_CARE], [C.DEMOGRAPHICS, C.CONDITIONS])
    assert decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE, C.CONDITIONS).allowed
    decision = decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE, C.MEDICATIONS)
    assert decision.code == Code.AGREEMENT_CATEGORY


def test_another_icps_agreement_does_not_count(world: World) -> None:
    world.make_agreement(["other_practice", "practice_a"], [P.DIRECT_CARE], icp=world.other_icp)
    assert decide(world.users["gp"], world.patients["alice"], P.DIRECT_CARE).code == Code.NO_AGREEMENT


def test_pharmacist_with_no_relationship_is_denied(shared_world: World) -> None:
    decision = decide(
        shared_world.users["pharmacist"], shared_world.patients["alice"], P.DIRECT_CARE, C.MEDICATIONS
    )
    assert decision.code == Code.NO_RELATIONSHIP
    event = last_event()
    assert event.outcome == "denied" and event.detail["code"] == "no-relationship"
    assert "Zephyrine" not in event.reason  # the reason names no patient detail


# -- denied by the person's choices ---------------------------------------------------------------


def choose(world: World, patient: str, kind: str, value: str, days_ago: int = 0, **kw: object) -> None:
    actions.record_choice(
        patient=world.patients[patient],
        kind=kind,
        value=value,
        by=world.users["gp"] if patient == "alice" else world.users["gp_b"],
        effective_date=timezone.localdate() - timedelta(days=days_ago),
        **kw,  # type: ignore[arg-type]
    )


def test_withdrawn_consent_denies_other_organisations_but_not_the_registered_practice(
    shared_world: World,
) -> None:
    w = shared_world
    add_team(w, "alice", "pharmacy")
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.WITHDRAWN)
    decision = decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE, C.MEDICATIONS)
    assert decision.code == Code.CONSENT_WITHDRAWN
    assert decide(w.users["gp"], w.patients["alice"], P.DIRECT_CARE, C.MEDICATIONS).allowed
    # Emergency response respects it too (a clinician may still break glass).
    assert decide(w.users["ambulance"], w.patients["alice"], P.EMERGENCY).code == Code.CONSENT_WITHDRAWN


def test_consent_given_again_lifts_the_withdrawal(shared_world: World) -> None:
    w = shared_world
    add_team(w, "alice", "pharmacy")
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.WITHDRAWN, days_ago=5)
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.GIVEN, days_ago=1)
    assert decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE).allowed


def test_planning_opt_out_denies_planning_purposes_only(shared_world: World) -> None:
    w = shared_world
    choose(w, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT)
    assert decide(w.users["gp_b"], w.patients["bob"], P.RISK_STRATIFICATION).code == Code.OPTED_OUT
    assert decide(w.users["gp_b"], w.patients["bob"], P.DIRECT_CARE).allowed


def test_sensitive_records_withheld_from_other_organisations(shared_world: World) -> None:
    w = shared_world
    add_team(w, "alice", "trust")
    choose(
        w, "alice", ChoiceKind.SENSITIVE_WITHHELD, ChoiceValue.WITHHELD
    )  # default: safeguarding, social care
    decision = decide(w.users["socialworker"], w.patients["alice"], P.DIRECT_CARE, C.SAFEGUARDING)
    assert decision.code == Code.SENSITIVE_WITHHELD
    assert decide(w.users["socialworker"], w.patients["alice"], P.DIRECT_CARE, C.CONDITIONS).allowed
    assert decide(w.users["gp"], w.patients["alice"], P.DIRECT_CARE, C.SAFEGUARDING).allowed


def test_choice_dated_in_the_future_is_refused(shared_world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        choose(shared_world, "alice", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT, days_ago=-2)


def test_relationship_is_checked_before_choices_so_a_stranger_learns_nothing(shared_world: World) -> None:
    w = shared_world
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.WITHDRAWN)
    decision = decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE)
    assert decision.code == Code.NO_RELATIONSHIP and "consent" not in decision.reason


# -- break glass ----------------------------------------------------------------------------------


def test_break_glass_overrides_a_denial_until_it_expires(shared_world: World) -> None:
    w = shared_world
    pharmacist, alice = w.users["pharmacist"], w.patients["alice"]
    assert not decide(pharmacist, alice, P.DIRECT_CARE, C.MEDICATIONS)
    glass = actions.break_glass(
        patient=alice, reason="Collapsed in the pharmacy, unresponsive", by=pharmacist
    )
    decision = decide(pharmacist, alice, P.DIRECT_CARE, C.MEDICATIONS)
    assert decision.allowed and decision.break_glass and decision.code == Code.BREAK_GLASS
    assert "no legitimate relationship" in decision.reason
    assert last_event().outcome == "break-glass"
    BreakGlass.objects.filter(pk=glass.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert decide(pharmacist, alice, P.DIRECT_CARE, C.MEDICATIONS).code == Code.NO_RELATIONSHIP


def test_break_glass_overrides_withdrawn_consent_and_another_icp(shared_world: World) -> None:
    w = shared_world
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.WITHDRAWN)
    actions.break_glass(
        patient=w.patients["alice"], reason="Cardiac arrest on the ward, no history", by=w.users["trust"]
    )
    assert decide(w.users["trust"], w.patients["alice"], P.DIRECT_CARE).break_glass
    actions.break_glass(
        patient=w.patients["alice"], reason="Visiting patient collapsed at surgery", by=w.users["other_gp"]
    )
    assert decide(w.users["other_gp"], w.patients["alice"], P.DIRECT_CARE).break_glass


def test_break_glass_never_overrides_role_limits_or_planning(shared_world: World) -> None:
    w = shared_world
    actions.break_glass(
        patient=w.patients["bob"], reason="Collapsed in the pharmacy, unresponsive", by=w.users["pharmacist"]
    )
    assert (
        decide(w.users["pharmacist"], w.patients["bob"], P.DIRECT_CARE, C.SAFEGUARDING).code
        == Code.ROLE_CATEGORY
    )
    assert decide(w.users["pharmacist"], w.patients["bob"], P.PLANNING).code == Code.NOT_IDENTIFIABLE
    choose(w, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT)
    actions.break_glass(
        patient=w.patients["bob"], reason="Acute deterioration seen at home visit", by=w.users["gp_b"]
    )
    assert decide(w.users["gp_b"], w.patients["bob"], P.RISK_STRATIFICATION).code == Code.OPTED_OUT
    assert decide(w.users["gp_b"], w.patients["bob"], P.PLANNING).code == Code.NOT_IDENTIFIABLE


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
    trust_record = _linked_record(w, "alice", "practice_b")
    assert not decide(pharmacist, alice, P.DIRECT_CARE, C.MEDICATIONS)
    actions.break_glass(patient=trust_record, reason="Collapsed in the pharmacy, unresponsive", by=pharmacist)
    decision = decide(pharmacist, alice, P.DIRECT_CARE, C.MEDICATIONS)
    assert decision.allowed and decision.code == Code.BREAK_GLASS
    assert last_event().outcome == "break-glass"
    assert decide(pharmacist, w.patients["bob"], P.DIRECT_CARE, C.MEDICATIONS).code == Code.NO_RELATIONSHIP


# -- many categories at once, and the opt-out list ------------------------------------------------


def test_decide_many_audits_each_category(shared_world: World) -> None:
    w = shared_world
    before = AuditEvent.objects.count()
    decisions = decide_many(w.users["voluntary"], w.patients["alice"], P.CARE_COORDINATION, list(C.values))
    assert AuditEvent.objects.count() == before + len(C.values)
    assert decisions[C.CONDITIONS].code == Code.ROLE_CATEGORY
    assert decisions[C.DEMOGRAPHICS].code == Code.NO_RELATIONSHIP


def test_planning_opt_outs_lists_the_people_to_leave_out_with_a_count(shared_world: World) -> None:
    w = shared_world
    choose(w, "alice", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT, days_ago=3)
    choose(w, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT, days_ago=3)
    choose(w, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_IN, days_ago=1)
    actions.record_choice(
        patient=w.patients["carol"],
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        by=w.users["other_gp"],
    )
    everyone = planning_opt_outs()
    assert everyone.patient_ids == {"pt-alice-0001", "pt-carol-0003"} and everyone.count == 2
    ours = planning_opt_outs(w.icp)
    assert ours.count == 1 and "pt-alice-0001" in ours and "pt-bob-0002" not in ours
    # On a day before Bob opted back in, he was out.
    assert "pt-bob-0002" in planning_opt_outs("NI-NOR-CA", on=timezone.localdate() - timedelta(days=2))
    assert isinstance(PatientIndex.objects.get(patient_id="pt-alice-0001"), PatientIndex)


# -- many people at once (worklists, caseloads, search hits) -----------------------------------------


def _linked_record(world: World, of: str, practice: str) -> PatientIndex:
    """A second source's record of the same person, registered at another practice."""
    person = world.patients[of]
    return PatientIndex.objects.create(
        patient_id=f"{person.patient_id}-trust",
        person_id=person.patient_id,
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        practice=world.orgs[practice],
        icp=person.icp,
        synthetic=True,
    )


def _mixed_people(world: World) -> list[PatientIndex]:
    """People whose decisions differ for different reasons: registered here or there, a relationship,
    choices made on a linked record, break glass, another ICP."""
    linked = _linked_record(world, "alice", "practice_b")
    actions.record_choice(
        patient=linked,
        kind=ChoiceKind.DIRECT_CARE_CONSENT,
        value=ChoiceValue.WITHDRAWN,
        by=world.users["gp_b"],
    )
    add_team(world, "bob", "pharmacy")
    choose(world, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT)
    actions.break_glass(
        patient=world.patients["carol"],
        reason="Visiting patient collapsed at surgery",
        by=world.users["trust"],
    )
    return [world.patients["alice"], linked, world.patients["bob"], world.patients["carol"]]


@pytest.mark.parametrize("user", ["gp", "gp_b", "pharmacist", "trust", "ambulance", "analyst", "voluntary"])
@pytest.mark.parametrize("purpose", [P.DIRECT_CARE, P.CARE_COORDINATION, P.EMERGENCY, P.RISK_STRATIFICATION])
def test_many_people_at_once_are_decided_as_each_alone(shared_world: World, user: str, purpose: str) -> None:
    people = _mixed_people(shared_world)
    who = shared_world.users[user]
    for category in (C.DEMOGRAPHICS, C.MEDICATIONS):
        alone = [evaluate_many(who, person, purpose, [category])[1][category] for person in people]
        assert evaluate_people(who, people, purpose, category) == alone


def test_many_people_are_decided_from_a_fixed_number_of_queries(shared_world: World) -> None:
    """A worklist of thirty asks the database as often as one of three (no query per person)."""
    w = shared_world
    _mixed_people(w)
    for number in range(30):
        PatientIndex.objects.create(
            patient_id=f"pt-many-{number:04d}", practice=w.orgs["practice_a"], icp=w.icp, synthetic=True
        )
    everyone = list(PatientIndex.objects.filter(icp=w.icp).order_by("pk"))
    counts = []
    for people in (everyone[:3], everyone):
        for purpose in (P.DIRECT_CARE, P.RISK_STRATIFICATION):
            with CaptureQueriesContext(connection) as queries:
                decisions = evaluate_people(w.users["gp"], people, purpose, C.DEMOGRAPHICS)
            assert len(decisions) == len(people)
            counts.append((purpose, len(queries)))
    assert counts[:2] == counts[2:], counts
    assert AuditEvent.objects.filter(action="record.read").count() == 0  # the caller audits the list


def test_the_user_guide_prints_the_role_tables_in_force() -> None:
    from pathlib import Path

    from icp.sharing.rules import role_table_markdown

    guide = Path(__file__).resolve().parents[2] / "docs" / "information-sharing.md"
    assert role_table_markdown() in guide.read_text(encoding="utf-8")


def test_every_decision_code_has_a_test_here() -> None:
    """A new code in the policy without a test of its path fails this (here, or in the referral
    basis's own file beside this one)."""
    from pathlib import Path

    here = Path(__file__)
    source = "".join(path.read_text(encoding="utf-8") for path in here.parent.glob("test_policy*.py"))
    untested = [code.name for code in Code if f"Code.{code.name}" not in source]
    assert untested == []

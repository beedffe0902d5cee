"""Judging a request (`policy.judge`), path by path: every allow and every deny of `decide`, in the
order the checks run, each audited, and what break glass may and may not override.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.partnership.roles import UserRole
from icp.sharing import actions
from icp.sharing.models import BreakGlass
from icp.sharing.policy import Code, decide
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, Purpose
from tests.sharing.conftest import World
from tests.sharing.policy.conftest import add_team, choose, last_event, refer

C = DataCategory
P = Purpose


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

"""The sharing actions: who may change what, what is refused, and that every change is audited."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.sharing import actions
from icp.sharing.models import BreakGlass, ReviewOutcome
from icp.sharing.templates_data import TEMPLATES_FILE, _check, agreement_templates
from icp.sharing.vocabulary import AgreementStatus, ChoiceKind, ChoiceValue, DataCategory, LegalBasis, Purpose
from tests.sharing.conftest import World


def test_templates_load_and_bad_ones_are_refused_with_the_field_named() -> None:
    assert set(agreement_templates()) == {
        "direct-care",
        "emergency-response",
        "community-support",
        "safeguarding",
        "risk-stratification",
    }
    raw = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))["templates"][0]
    with pytest.raises(ValueError, match=r"purposes has unknown value\(s\) \['gossip'\]"):
        _check({**raw, "purposes": ["gossip"]}, "test template")
    with pytest.raises(ValueError, match="legal_basis"):
        _check({**raw, "legal_basis": "because"}, "test template")


def test_a_template_fills_in_parties_purposes_term_and_is_audited(world: World) -> None:
    agreement = actions.create_agreement_from_template(
        icp=world.icp, template="risk-stratification", start_date=date(2026, 4, 1), by=world.governor
    )
    assert agreement.status == AgreementStatus.DRAFT and agreement.end_date == date(2027, 3, 31)
    parties = set(agreement.parties.values_list("code", flat=True))
    assert "T-LCG" in parties and world.orgs["practice_a"].code in parties and "T-PH1" not in parties
    assert agreement.icp.practices.count() + 1 == len(parties)
    event = AuditEvent.objects.filter(action="agreement.create").get()
    assert event.detail["reference"] == agreement.reference and event.actor_username == "iglead"


def test_only_governors_of_the_icp_make_agreements_and_refusals_are_audited(world: World) -> None:
    for user in ("gp", "analyst", "other_gp"):
        with pytest.raises(PermissionDenied):
            actions.create_agreement_from_template(
                icp=world.icp, template="direct-care", by=world.users[user]
            )
    assert AuditEvent.objects.filter(action="agreement.create", outcome="denied").count() == 3
    assert actions.create_agreement_from_template(
        icp=world.icp, template="direct-care", by=world.users["manager"]
    )


def test_an_agreement_needs_two_parties_known_purposes_and_sane_dates(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        actions.create_agreement(
            icp=world.icp,
            title="bad",
            parties=[world.orgs["trust"]],
            purposes=["gossip"],
            categories=[],
            legal_basis="none",
            start_date=date(2026, 4, 1),
            end_date=date(2026, 3, 1),
            by=world.governor,
        )
    assert set(error.value.message_dict) == {"parties", "purposes", "categories", "legal_basis", "end_date"}


def test_signing_and_withdrawing_follow_the_status(world: World) -> None:
    agreement = world.make_agreement(["practice_a", "trust"], [Purpose.DIRECT_CARE], sign=False)
    actions.sign_agreement(agreement=agreement, by=world.governor)
    with pytest.raises(ValidationError):
        actions.sign_agreement(agreement=agreement, by=world.governor)
    with pytest.raises(ValidationError):
        actions.withdraw_agreement(agreement=agreement, reason="  ", by=world.governor)
    actions.withdraw_agreement(agreement=agreement, reason="the pilot ended", by=world.governor)
    assert agreement.status == AgreementStatus.WITHDRAWN
    with pytest.raises(PermissionDenied):
        actions.withdraw_agreement(agreement=agreement, reason="again", by=world.users["gp"])


def test_choices_are_recorded_by_the_registered_practice_or_the_ig_lead_only(world: World) -> None:
    alice = world.patients["alice"]
    actions.record_choice(
        patient=alice, kind=ChoiceKind.PLANNING_OPT_OUT, value=ChoiceValue.OPTED_OUT, by=world.users["nurse"]
    )
    actions.record_choice(
        patient=alice, kind=ChoiceKind.PLANNING_OPT_OUT, value=ChoiceValue.OPTED_IN, by=world.governor
    )
    for user in ("gp_b", "pharmacist", "other_gp", "manager"):
        with pytest.raises(PermissionDenied):
            actions.record_choice(
                patient=alice,
                kind=ChoiceKind.PLANNING_OPT_OUT,
                value=ChoiceValue.OPTED_OUT,
                by=world.users[user],
            )
    with pytest.raises(ValidationError):
        actions.record_choice(
            patient=alice, kind=ChoiceKind.PLANNING_OPT_OUT, value=ChoiceValue.GIVEN, by=world.users["gp"]
        )
    with pytest.raises(ValidationError):
        actions.record_choice(
            patient=alice,
            kind=ChoiceKind.PLANNING_OPT_OUT,
            value=ChoiceValue.OPTED_OUT,
            categories=["conditions"],
            by=world.users["gp"],
        )
    withheld = actions.record_choice(
        patient=alice, kind=ChoiceKind.SENSITIVE_WITHHELD, value=ChoiceValue.WITHHELD, by=world.users["gp"]
    )
    assert withheld.categories == [DataCategory.SAFEGUARDING, DataCategory.SOCIAL_CARE]
    recorded = AuditEvent.objects.filter(
        action="choice.record", outcome="success", patient_ref="pt-alice-0001"
    )
    assert recorded.count() == 3


def test_a_break_glass_is_time_limited_and_reviewed_by_the_icps_ig_lead(
    shared_world: World, settings
) -> None:  # type: ignore[no-untyped-def]
    w = shared_world
    settings.ICP_BREAK_GLASS_HOURS = 2
    glass = actions.break_glass(
        patient=w.patients["alice"], reason="Unresponsive at the pharmacy counter", by=w.users["pharmacist"]
    )
    assert glass.expires_at - glass.started_at == timedelta(hours=2)
    assert glass.active(timezone.now()) and not glass.active(glass.expires_at)
    with pytest.raises(PermissionDenied):
        actions.review_break_glass(glass=glass, outcome=ReviewOutcome.APPROPRIATE, by=w.users["gp"])
    with pytest.raises(ValidationError):
        actions.review_break_glass(glass=glass, outcome=ReviewOutcome.INAPPROPRIATE, by=w.governor)
    actions.review_break_glass(
        glass=glass, outcome=ReviewOutcome.INAPPROPRIATE, note="Spoke to the pharmacist", by=w.governor
    )
    assert BreakGlass.objects.get().review_outcome == ReviewOutcome.INAPPROPRIATE


def test_planning_is_never_a_break_glass_purpose_and_reasons_must_say_something(shared_world: World) -> None:
    w = shared_world
    with pytest.raises(ValidationError):
        actions.break_glass(
            patient=w.patients["alice"],
            reason="Need to see it for the audit",
            purpose=Purpose.PLANNING,
            by=w.users["gp_b"],
        )
    with pytest.raises(ValidationError):
        actions.break_glass(patient=w.patients["alice"], reason="urgent", by=w.users["gp_b"])
    with pytest.raises(PermissionDenied):
        actions.break_glass(
            patient=w.patients["alice"], reason="I would really like to look", by=w.users["analyst"]
        )
    assert LegalBasis.DIRECT_CARE in LegalBasis.values

"""Enrolment: one person or a selection, with a reason; leaving with a reason; reviews; audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care.pathways.actions import enrol, enrol_selection, leave_pathway, review_enrolment
from icp.care.pathways.models import LeaveReason
from icp.patients.models import RiskResult
from tests.sharing.conftest import World


def test_enrolling_keeps_the_reason_and_the_criteria_met(
    shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    alice = shared_world.patients["alice"]
    risk_for(alice, age=84, efi_category="severe")
    enrolment = enrol(
        patient=alice, pathway_id="frailty", reason="Two falls and confusion", by=shared_world.users["gp"]
    )
    assert enrolment.entry_reasons == ["aged 65 or over", "efi category moderate or severe"]
    assert (
        enrolment.pathway_version == "2026.12.1" and enrolment.organisation == shared_world.orgs["practice_a"]
    )
    assert enrolment.next_review_on == timezone.localdate() + timedelta(days=180)
    event = AuditEvent.objects.get(action="enrolment.create")
    assert event.patient_ref == alice.patient_id and event.detail["criteria_met"] is True


def test_clinical_judgement_enrols_someone_who_does_not_meet_the_criteria(shared_world: World) -> None:
    enrolment = enrol(
        patient=shared_world.patients["alice"],
        pathway_id="copd",
        reason="Diagnosed last week; not on the register yet",
        by=shared_world.users["nurse"],
    )
    assert enrolment.entry_reasons == []


def test_refusals(shared_world: World) -> None:
    alice = shared_world.patients["alice"]
    gp = shared_world.users["gp"]
    with pytest.raises(ValidationError, match="reason"):
        enrol(patient=alice, pathway_id="frailty", reason=" ", by=gp)
    with pytest.raises(ValidationError, match="No pathway 'gout'"):
        enrol(patient=alice, pathway_id="gout", reason="x", by=gp)
    with pytest.raises(PermissionDenied):  # not a clinician
        enrol(patient=alice, pathway_id="frailty", reason="x", by=shared_world.users["voluntary"])
    with pytest.raises(PermissionDenied):  # no relationship with Bob
        enrol(patient=shared_world.patients["bob"], pathway_id="frailty", reason="x", by=gp)
    enrol(patient=alice, pathway_id="frailty", reason="x", by=gp)
    with pytest.raises(ValidationError, match="already enrolled"):
        enrol(patient=alice, pathway_id="frailty", reason="again", by=gp)
    assert AuditEvent.objects.filter(action="enrolment.create", outcome="denied").count() == 1


def test_a_selection_enrols_each_it_can_and_says_why_not_for_the_others(shared_world: World) -> None:
    patients = [shared_world.patients["alice"], shared_world.patients["bob"]]
    result = enrol_selection(
        patients=patients, pathway_id="falls", reason="Falls clinic list", by=shared_world.users["gp"]
    )
    assert [e.patient.patient_id for e in result.enrolled] == ["pt-alice-0001"]
    assert [pid for pid, _why in result.refused] == ["pt-bob-0002"]
    assert "no legitimate relationship" in result.refused[0][1]


def test_leaving_and_reviewing(shared_world: World) -> None:
    gp = shared_world.users["gp"]
    enrolment = enrol(patient=shared_world.patients["alice"], pathway_id="end-of-life", reason="x", by=gp)
    review_enrolment(enrolment=enrolment, by=gp)
    assert enrolment.next_review_on == timezone.localdate() + timedelta(days=28)
    with pytest.raises(ValidationError):
        leave_pathway(enrolment=enrolment, reason="bored", by=gp)
    leave_pathway(enrolment=enrolment, reason=LeaveReason.DECLINED, note="Prefers not to", by=gp)
    assert enrolment.ended_on == timezone.localdate() and enrolment.end_reason == "declined"
    with pytest.raises(ValidationError, match="already ended"):
        leave_pathway(enrolment=enrolment, reason=LeaveReason.DECLINED, by=gp)
    # Ended: the person can be enrolled again.
    enrol(patient=shared_world.patients["alice"], pathway_id="end-of-life", reason="Asked to rejoin", by=gp)

"""Helpers of the access decision's tests: the audit chain's last event, and the care
relationships, choices and linked records they set up through the real actions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care import actions as care_actions
from icp.care.models import CareTeamMember
from icp.care.referrals.models import Service, ServiceType
from icp.patients.models import PatientIndex
from icp.sharing import actions
from tests.care.referrals.conftest import accepted_referral
from tests.sharing.conftest import World


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


def choose(world: World, patient: str, kind: str, value: str, days_ago: int = 0, **kw: object) -> None:
    actions.record_choice(
        patient=world.patients[patient],
        kind=kind,
        value=value,
        by=world.users["gp"] if patient == "alice" else world.users["gp_b"],
        effective_date=timezone.localdate() - timedelta(days=days_ago),
        **kw,  # type: ignore[arg-type]
    )


def linked_record(world: World, of: str, practice: str) -> PatientIndex:
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

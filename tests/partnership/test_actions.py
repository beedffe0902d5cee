"""Changes to committee membership go through actions that check permission and leave an audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icp.audit.models import AuditEvent
from icp.demo.partnership import create_demo_partnership
from icp.partnership import actions
from icp.partnership.composition import SeatStatus, check_composition
from icp.partnership.models import ChairElection, Committee, Membership, Organisation, Person, User
from icp.partnership.roles import Office, ProfessionalRole, UserRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee() -> Committee:
    create_demo_partnership(password="a-long-demo-password")
    return Committee.objects.get(area__code="NI-NOR-CA")


@pytest.fixture
def carer() -> Person:
    return Person.objects.create(name="A carer", professional_role=ProfessionalRole.CARER)


def test_icp_manager_fills_the_vacant_seat_and_the_change_is_audited(
    committee: Committee, carer: Person, manager: User
) -> None:
    membership = actions.add_membership(
        committee=committee,
        seat=committee.template.seats.get(code="carer"),
        person=carer,
        start_date=date(2026, 1, 1),
        by=manager,
    )
    assert {s.seat_code: s.status for s in check_composition(committee, on=date(2026, 2, 1)).seats}[
        "carer"
    ] == SeatStatus.FILLED
    event = AuditEvent.objects.filter(action="membership.create").latest("id")
    assert event.actor_username == manager.username
    assert event.target_id == str(membership.pk)
    assert event.detail["seat"] == "carer"


def test_a_manager_of_another_icp_is_refused_and_the_refusal_is_audited(
    committee: Committee, carer: Person, make_user: Callable[..., User]
) -> None:
    outsider = make_user(UserRole.ICP_MANAGER, icp="NI-BEL-E")
    with pytest.raises(PermissionDenied):
        actions.add_membership(
            committee=committee,
            seat=committee.template.seats.get(code="carer"),
            person=carer,
            start_date=date(2026, 1, 1),
            by=outsider,
        )
    assert not Membership.objects.filter(person=carer).exists()
    denial = AuditEvent.objects.filter(action="committee.change").latest("id")
    assert denial.outcome == "denied" and denial.actor_username == outsider.username


@pytest.mark.parametrize(
    "role", [UserRole.GP, UserRole.COMMITTEE_MEMBER, UserRole.REVIEWER, UserRole.IG_LEAD]
)
def test_only_icp_managers_change_membership(
    committee: Committee, carer: Person, make_user: Callable[..., User], role: str
) -> None:
    with pytest.raises(PermissionDenied):
        actions.add_membership(
            committee=committee,
            seat=committee.template.seats.get(code="carer"),
            person=carer,
            start_date=date(2026, 1, 1),
            by=make_user(role),
        )


def test_an_end_date_before_the_start_is_refused(committee: Committee, carer: Person, manager: User) -> None:
    with pytest.raises(ValidationError, match="end date"):
        actions.add_membership(
            committee=committee,
            seat=committee.template.seats.get(code="carer"),
            person=carer,
            start_date=date(2026, 1, 1),
            end_date=date(2025, 1, 1),
            by=manager,
        )


def test_a_seat_from_another_template_is_refused(committee: Committee, carer: Person, manager: User) -> None:
    from icp.partnership.models import SeatRule

    england_seat = SeatRule.objects.get(template__code="england-icp-board", code="vcse")
    with pytest.raises(ValidationError, match="not part of this committee"):
        actions.add_membership(
            committee=committee, seat=england_seat, person=carer, start_date=date(2026, 1, 1), by=manager
        )


def test_ending_a_membership_records_before_and_after(committee: Committee, manager: User) -> None:
    membership = committee.memberships.get(person__name="Joan Synthetic")
    actions.end_membership(membership=membership, end_date=date(2026, 3, 31), by=manager)
    membership.refresh_from_db()
    assert membership.end_date == date(2026, 3, 31)
    event = AuditEvent.objects.filter(action="membership.update").latest("id")
    assert event.detail["before"]["end_date"] == "2028-03-31"
    assert event.detail["after"]["end_date"] == "2026-03-31"


def test_unknown_fields_cannot_be_changed(committee: Committee, manager: User) -> None:
    membership = committee.memberships.first()
    assert membership is not None
    with pytest.raises(ValidationError, match="Cannot change person"):
        actions.update_membership(membership=membership, by=manager, person=None)


def test_electing_a_new_chair_hands_over_the_office(committee: Committee, manager: User) -> None:
    newcomer = committee.memberships.get(person__name="Cllr Hugh Synthetic").person
    election = actions.record_chair_election(
        committee=committee,
        person=newcomer,
        elected_on=date(2026, 4, 1),
        method="Elected at the AGM",
        votes_for=8,
        votes_cast=12,
        by=manager,
    )
    assert ChairElection.objects.filter(pk=election.pk).exists()
    chairs = committee.memberships.filter(office=Office.CHAIR)
    assert [m.person.name for m in chairs] == ["Cllr Hugh Synthetic"]
    chair = check_composition(committee, on=date(2026, 5, 1)).chair
    assert chair is not None and chair.ok and chair.chair == "Cllr Hugh Synthetic"


def test_a_chair_must_hold_a_seat(committee: Committee, carer: Person, manager: User) -> None:
    with pytest.raises(ValidationError, match="holds no seat"):
        actions.record_chair_election(
            committee=committee, person=carer, elected_on=date(2026, 4, 1), by=manager
        )


def test_votes_for_cannot_exceed_votes_cast(committee: Committee, manager: User) -> None:
    person = committee.memberships.get(person__name="Joan Synthetic").person
    with pytest.raises(ValidationError, match="votes_for"):
        actions.record_chair_election(
            committee=committee,
            person=person,
            elected_on=date(2026, 4, 1),
            votes_for=9,
            votes_cast=3,
            by=manager,
        )


def test_a_manager_adds_a_person_to_their_own_partnership_only(
    committee: Committee, manager: User, make_user: Callable[..., User]
) -> None:
    icp = committee.area
    person = actions.add_person(name=" Orla Synthetic ", professional_role="carer", icp=icp, by=manager)
    assert person.name == "Orla Synthetic"
    assert AuditEvent.objects.filter(action="person.create", target_id=str(person.pk)).exists()
    outsider = make_user(UserRole.ICP_MANAGER, icp="NI-BEL-E")
    with pytest.raises(PermissionDenied):
        actions.add_person(name="Someone", professional_role="carer", icp=icp, by=outsider)
    elsewhere = Organisation.objects.filter(icp__code="NI-BEL-E").first()  # a practice of another ICP
    assert elsewhere is not None
    with pytest.raises(ValidationError, match="not one of"):
        actions.add_person(name="X", professional_role="gp", organisation=elsewhere, icp=icp, by=manager)
    with pytest.raises(ValidationError, match="not a professional role"):
        actions.add_person(name="X", professional_role="astronaut", icp=icp, by=manager)


def test_a_seat_takes_only_the_roles_and_organisations_its_rule_names(
    committee: Committee, carer: Person, manager: User
) -> None:
    with pytest.raises(ValidationError, match="is for: GP"):
        actions.add_membership(
            committee=committee,
            seat=committee.template.seats.get(code="gp"),
            person=carer,
            start_date=date(2026, 1, 1),
            by=manager,
        )
    gp = Person.objects.create(name="Dr Orgless", professional_role=ProfessionalRole.GP)
    with pytest.raises(ValidationError, match="held for an organisation of this kind: GP practice"):
        actions.add_membership(
            committee=committee,
            seat=committee.template.seats.get(code="gp"),
            person=gp,
            start_date=date(2026, 1, 1),
            by=manager,
        )

"""A committee's composition is checked seat by seat against its template on a given date."""

from __future__ import annotations

from datetime import date

import pytest

from icp.demo.partnership import create_demo_partnership
from icp.partnership.composition import SeatStatus, check_composition
from icp.partnership.models import ChairElection, Committee, CompositionTemplate, Membership, Person
from icp.partnership.roles import Office, ProfessionalRole

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 1)


@pytest.fixture
def committee() -> Committee:
    create_demo_partnership(password="a-long-demo-password")
    return Committee.objects.get(area__code="NI-NOR-CA")


def statuses(committee: Committee, on: date = ON) -> dict[str, SeatStatus]:
    return {seat.seat_code: seat.status for seat in check_composition(committee, on=on).seats}


def seat_person(committee: Committee, seat: str, name: str, role: str, **dates: date) -> Membership:
    template_seat = committee.template.seats.get(code=seat)
    person = Person.objects.create(name=name, professional_role=role)
    return Membership.objects.create(
        committee=committee,
        seat=template_seat,
        person=person,
        start_date=dates.get("start", date(2025, 4, 1)),
        end_date=dates.get("end"),
    )


def test_the_ni_template_has_the_seats_of_the_partnership_committee() -> None:
    template = CompositionTemplate.objects.get(code="ni-partnership-committee")
    seats = {seat.code: seat.min_count for seat in template.seats.all()}
    assert seats == {
        "gp": 2,
        "community-pharmacist": 2,
        "service-user": 1,
        "carer": 1,
        "community-organisation": 1,
        "voluntary-organisation": 1,
        "council": 1,
        "trust-medical-specialist": 1,
        "trust-nurse": 1,
        "trust-ahp": 1,
        "trust-social-worker": 1,
        "ambulance": 1,
    }
    assert template.chair_rule == "elected"


def test_england_board_template_has_an_independent_chair_and_vcse_seat() -> None:
    template = CompositionTemplate.objects.get(code="england-icp-board")
    codes = set(template.seats.values_list("code", flat=True))
    assert {"independent-chair", "programme-director", "nhs-partner", "local-authority", "vcse"} <= codes
    assert template.chair_rule == "appointed"


def test_demo_committee_has_exactly_one_vacant_seat_the_carer(committee: Committee) -> None:
    check = check_composition(committee, on=ON)
    vacant = [seat.seat_code for seat in check.seats if seat.status == SeatStatus.VACANT]
    assert vacant == ["carer"]
    assert check.vacancies == 1
    assert not check.complete
    assert check.chair is not None and check.chair.ok and check.chair.chair == "Dr Aoife Synthetic"


def test_filling_the_vacancy_completes_the_committee(committee: Committee) -> None:
    seat_person(committee, "carer", "A carer", ProfessionalRole.CARER)
    check = check_composition(committee, on=ON)
    assert check.complete and check.vacancies == 0


def test_a_third_gp_over_fills_the_two_gp_seats(committee: Committee) -> None:
    seat_person(committee, "gp", "Third GP", ProfessionalRole.GP)
    assert statuses(committee)["gp"] == SeatStatus.OVER_FILLED


def test_a_seat_whose_term_ended_is_expired_not_vacant(committee: Committee) -> None:
    seat_person(committee, "carer", "Former carer", ProfessionalRole.CARER, end=date(2026, 1, 31))
    assert statuses(committee, on=date(2026, 1, 31))["carer"] == SeatStatus.FILLED
    assert statuses(committee, on=date(2026, 2, 1))["carer"] == SeatStatus.EXPIRED
    message = next(s.message for s in check_composition(committee, on=ON).seats if s.seat_code == "carer")
    assert "31 January 2026" in message


def test_a_member_who_has_not_started_does_not_fill_a_seat(committee: Committee) -> None:
    seat_person(committee, "carer", "Future carer", ProfessionalRole.CARER, start=date(2027, 1, 1))
    assert statuses(committee)["carer"] == SeatStatus.VACANT


def test_everything_is_vacant_before_the_committee_was_seated(committee: Committee) -> None:
    assert set(statuses(committee, on=date(2024, 1, 1)).values()) == {SeatStatus.VACANT}


def test_a_chair_with_no_recorded_election_needs_attention(committee: Committee) -> None:
    ChairElection.objects.filter(committee=committee).delete()
    chair = check_composition(committee, on=ON).chair
    assert chair is not None and not chair.ok and "election" in chair.message


def test_no_chair_in_office_is_reported(committee: Committee) -> None:
    Membership.objects.filter(committee=committee, office=Office.CHAIR).update(office=Office.MEMBER)
    chair = check_composition(committee, on=ON).chair
    assert chair is not None and not chair.ok and chair.message == "No chair in office"

"""The seats-and-members pages: the ICP manager fills a seat (with someone recorded or someone new)
and changes or ends a membership, through the registry's audited actions; nobody else can, and
another ICP's manager gets 403 with nothing changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from icp.audit.models import AuditEvent
from icp.partnership.models import Committee, Membership, Person, User
from icp.partnership.roles import ProfessionalRole
from tests.governance.clients import browser


def carer_seat_holders(committee: Committee) -> list[str]:
    return [m.person.name for m in committee.memberships.filter(seat__code="carer").select_related("person")]


def test_members_and_managers_see_every_seat_with_the_vacancy(
    committee: Committee, demo_member: User, demo_manager: User
) -> None:
    page = browser(demo_member).get(f"/governance/committees/{committee.pk}/members/").content.decode()
    assert "Carer" in page and "Vacant" in page and "Eileen Synthetic" in page
    assert "1</strong> seat to fill" in page
    assert "Fill the seat" not in page and "/memberships/" not in page  # a member only reads
    managed = browser(demo_manager).get(f"/governance/committees/{committee.pk}/members/").content.decode()
    assert f"/governance/committees/{committee.pk}/seats/carer/fill/" in managed
    assert 'Change<span class="nhsuk-u-visually-hidden"> Eileen Synthetic\'s membership</span>' in managed


def test_the_manager_fills_the_vacant_seat_with_someone_new(committee: Committee, demo_manager: User) -> None:
    url = f"/governance/committees/{committee.pk}/seats/carer/fill/"
    form = browser(demo_manager).get(url).content.decode()
    assert "Fill the seat: Carer" in form and 'value="carer"' in form
    response = browser(demo_manager).post(
        url, {"new_name": "Orla Synthetic", "new_role": "carer", "start_date": "2026-12-01"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#seat-carer")
    assert carer_seat_holders(committee) == ["Orla Synthetic"]
    person = Person.objects.get(name="Orla Synthetic")
    assert person.professional_role == ProfessionalRole.CARER
    assert AuditEvent.objects.filter(action="person.create", target_id=str(person.pk)).count() == 1
    event = AuditEvent.objects.get(action="membership.create", actor_username="demo-manager")
    assert event.detail["seat"] == "carer" and event.detail["start_date"] == "2026-12-01"


def test_the_manager_fills_a_seat_with_someone_already_recorded(
    committee: Committee, demo_manager: User
) -> None:
    carer = Person.objects.create(name="Pat Synthetic", professional_role=ProfessionalRole.CARER)
    Membership.objects.create(
        committee=committee,
        seat=committee.template.seats.get(code="carer"),
        person=carer,
        start_date=date(2020, 1, 1),
        end_date=date(2024, 3, 31),
    )  # a former carer member: offered again
    url = f"/governance/committees/{committee.pk}/seats/carer/fill/"
    assert "Pat Synthetic" in browser(demo_manager).get(url).content.decode()
    response = browser(demo_manager).post(url, {"person": carer.pk, "start_date": "2026-12-01"})
    assert response.status_code == 302
    assert carer_seat_holders(committee).count("Pat Synthetic") == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start_date": "2026-12-01"}, "Choose who takes the seat, or give the name of someone new."),
        ({"new_name": "X", "new_role": "carer", "start_date": "1 Dec"}, "Term starts: Enter a valid date."),
        (
            {"new_name": "X", "new_role": "carer", "start_date": "2026-12-01", "end_date": "2026-01-01"},
            "The term must end after it starts.",
        ),
        (
            {"new_name": "X", "new_role": "gp", "start_date": "2026-12-01"},
            "Select a valid choice. gp is not one",
        ),
    ],
)
def test_bad_input_is_named_on_the_form_and_nothing_changes(
    committee: Committee, demo_manager: User, data: dict[str, str], message: str
) -> None:
    response = browser(demo_manager).post(f"/governance/committees/{committee.pk}/seats/carer/fill/", data)
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert carer_seat_holders(committee) == [] and not Person.objects.filter(name="X").exists()


def test_someone_whose_role_does_not_fit_the_seat_is_refused_by_the_action(
    committee: Committee, demo_manager: User
) -> None:
    gp = Person.objects.get(name="Dr Brendan Synthetic")
    response = browser(demo_manager).post(
        f"/governance/committees/{committee.pk}/seats/service-user/fill/",
        {"person": gp.pk, "start_date": "2026-12-01"},
    )
    # A GP is not offered for the service user's seat, so the form refuses the choice outright.
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    from icp.partnership import actions

    with pytest.raises(Exception, match="is for: Service user"):
        actions.add_membership(
            committee=committee,
            seat=committee.template.seats.get(code="service-user"),
            person=gp,
            start_date=date(2026, 12, 1),
            by=demo_manager,
        )


def test_a_new_person_is_not_kept_when_the_seat_is_refused(committee: Committee, demo_manager: User) -> None:
    """The GP seat is held for a GP practice: a new GP without one is refused, and not left behind."""
    response = browser(demo_manager).post(
        f"/governance/committees/{committee.pk}/seats/gp/fill/",
        {"new_name": "Dr New Synthetic", "new_role": "gp", "start_date": "2026-12-01"},
    )
    assert response.status_code == 400
    assert "The organisation they represent: This field is required." in response.content.decode()
    assert not Person.objects.filter(name="Dr New Synthetic").exists()


def test_the_manager_ends_a_membership(committee: Committee, demo_manager: User) -> None:
    membership = committee.memberships.get(person__name="Joan Synthetic")
    url = f"/governance/memberships/{membership.pk}/"
    assert "Change Joan Synthetic&#x27;s membership" in browser(demo_manager).get(url).content.decode()
    response = browser(demo_manager).post(
        url,
        {"organisation": membership.organisation_id, "start_date": "2025-04-01", "end_date": "2026-11-30"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end_date == date(2026, 11, 30)
    event = AuditEvent.objects.get(action="membership.update")
    assert event.detail["after"]["end_date"] == "2026-11-30"
    bad = browser(demo_manager).post(url, {"start_date": "2026-01-01", "end_date": "2025-01-01"})
    assert bad.status_code == 400 and "The end date is before the start date." in bad.content.decode()


@pytest.mark.parametrize("who", ["other_manager", "demo_member", "demo_reviewer"])
def test_nobody_but_the_icps_managers_reaches_the_forms(
    request: pytest.FixtureRequest, committee: Committee, who: str
) -> None:
    client = browser(request.getfixturevalue(who))
    membership = committee.memberships.get(person__name="Joan Synthetic")
    fill = f"/governance/committees/{committee.pk}/seats/carer/fill/"
    change = f"/governance/memberships/{membership.pk}/"
    assert client.get(fill).status_code == 403
    assert (
        client.post(
            fill, {"new_name": "Intruder", "new_role": "carer", "start_date": "2026-12-01"}
        ).status_code
        == 403
    )
    assert client.post(change, {"start_date": "2025-04-01", "end_date": "2025-04-02"}).status_code == 403
    membership.refresh_from_db()
    assert membership.end_date == date(2028, 3, 31)
    assert not Person.objects.filter(name="Intruder").exists()


def test_another_icps_manager_cannot_even_read_the_members_page(
    committee: Committee, other_manager: User
) -> None:
    assert browser(other_manager).get(f"/governance/committees/{committee.pk}/members/").status_code == 403


def test_unknown_seats_and_memberships_are_404(committee: Committee, demo_manager: User) -> None:
    client = browser(demo_manager)
    assert client.get(f"/governance/committees/{committee.pk}/seats/astronaut/fill/").status_code == 404
    assert client.get("/governance/memberships/999999/").status_code == 404
    assert client.get("/governance/committees/999999/members/").status_code == 404


def test_the_forms_need_the_csrf_token(committee: Committee, demo_manager: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_manager)
    response = client.post(
        f"/governance/committees/{committee.pk}/seats/carer/fill/",
        {"new_name": "Orla Synthetic", "new_role": "carer", "start_date": "2026-12-01"},
    )
    assert response.status_code == 403 and carer_seat_holders(committee) == []

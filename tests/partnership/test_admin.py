"""An ICP manager cannot create or change another ICP's committees or memberships through the admin:
the foreign keys offer only their ICP's rows, and every save is checked (refusals audited)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from icp.audit.models import AuditEvent
from icp.partnership.accounts import create_user
from icp.partnership.models import (
    Area,
    Committee,
    CompositionTemplate,
    Membership,
    Organisation,
    OrganisationType,
    Person,
    SeatRule,
    User,
)
from icp.partnership.roles import ProfessionalRole, UserRole

HOME = "NI-NOR-CA"
OTHER = "NI-BEL-E"


@pytest.fixture
def template(db: None) -> CompositionTemplate:
    return CompositionTemplate.objects.get(code="ni-partnership-committee")


def _committee(icp: Area, template: CompositionTemplate) -> Committee:
    return Committee.objects.create(area=icp, template=template, name=f"{icp.name} Partnership Committee")


def _person(icp: Area, name: str) -> Person:
    practice = Organisation.objects.filter(icp=icp).order_by("code").first()
    return Person.objects.create(name=name, organisation=practice, professional_role=ProfessionalRole.GP)


@pytest.fixture
def world(db: None, template: CompositionTemplate) -> dict[str, object]:
    home, other = Area.objects.get(code=HOME), Area.objects.get(code=OTHER)
    manager = create_user(username="mo", password=None, role=UserRole.ICP_MANAGER, by=None, home_area=home)
    return {
        "home": home,
        "other": other,
        "manager": manager,
        "home_committee": _committee(home, template),
        "other_committee": _committee(other, template),
        "home_person": _person(home, "Home Person (synthetic)"),
        "other_person": _person(other, "Other Person (synthetic)"),
        "seat": _gp_seat(template),
    }


def _gp_seat(template: CompositionTemplate) -> SeatRule:
    """A seat of the committee's composition that a GP from a practice may hold, so that a form the
    manager fills for their own ICP is valid on the membership's own rules too."""
    for seat in template.seats.order_by("order"):
        if ProfessionalRole.GP in seat.professional_roles and OrganisationType.GP_PRACTICE in (
            seat.organisation_types or [OrganisationType.GP_PRACTICE]
        ):
            return seat
    raise AssertionError("the NI partnership committee has no seat for a GP")


def _membership(committee: Committee, person: Person, seat: SeatRule) -> Membership:
    return Membership.objects.create(
        committee=committee,
        person=person,
        seat=seat,
        organisation=person.organisation,
        start_date=date(2026, 4, 1),
    )


@pytest.fixture
def admin_client(client: Client, world: dict[str, object]) -> Client:
    manager = world["manager"]
    assert isinstance(manager, User)
    client.force_login(manager)
    return client


def options(html: str, field: str) -> set[str]:
    """The values a form's <select name=field> offers."""
    select = re.search(rf'<select name="{field}".*?</select>', html, flags=re.DOTALL)
    assert select is not None, field
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


def test_the_committee_form_offers_only_the_managers_own_icp(admin_client: Client, world: dict) -> None:  # type: ignore[type-arg]
    html = admin_client.get("/admin/partnership/committee/add/").content.decode()
    assert options(html, "area") == {str(world["home"].pk)}


def test_a_committee_cannot_be_created_in_another_icp(
    admin_client: Client,
    world: dict,
    template: CompositionTemplate,  # type: ignore[type-arg]
) -> None:
    before = Committee.objects.count()
    response = admin_client.post(
        "/admin/partnership/committee/add/",
        {
            "name": "A committee for someone else's ICP",
            "area": world["other"].pk,
            "template": template.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Committee.objects.count() == before


def test_a_committee_cannot_be_moved_to_another_icp(
    admin_client: Client, world: dict, template: CompositionTemplate
) -> None:  # type: ignore[type-arg]
    committee = world["home_committee"]
    admin_client.post(
        f"/admin/partnership/committee/{committee.pk}/change/",
        {
            "name": committee.name,
            "area": world["other"].pk,
            "template": template.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    committee.refresh_from_db()
    assert committee.area == world["home"]


def test_another_icps_committee_cannot_be_opened_or_changed(admin_client: Client, world: dict) -> None:  # type: ignore[type-arg]
    other = world["other_committee"]
    response = admin_client.get(f"/admin/partnership/committee/{other.pk}/change/")
    assert response.status_code in (302, 404)
    admin_client.post(f"/admin/partnership/committee/{other.pk}/change/", {"name": "Renamed"})
    other.refresh_from_db()
    assert other.name != "Renamed"


def _membership_form(committee: Committee, person: Person, seat: SeatRule) -> dict[str, object]:
    return {
        "committee": committee.pk,
        "seat": seat.pk,
        "person": person.pk,
        "organisation": person.organisation_id or "",
        "office": "member",
        "start_date": "2026-04-01",
    }


def test_a_membership_cannot_be_given_on_another_icps_committee(admin_client: Client, world: dict) -> None:  # type: ignore[type-arg]
    html = admin_client.get("/admin/partnership/membership/add/").content.decode()
    assert options(html, "committee") == {str(world["home_committee"].pk)}
    assert "Other Person (synthetic)" not in html and "Home Person (synthetic)" in html
    form = _membership_form(world["other_committee"], world["home_person"], world["seat"])
    response = admin_client.post("/admin/partnership/membership/add/", form)
    assert response.status_code == 200 and not Membership.objects.exists()
    form = _membership_form(world["home_committee"], world["other_person"], world["seat"])
    admin_client.post("/admin/partnership/membership/add/", form)
    assert not Membership.objects.exists()
    # The same form for the manager's own committee and person is saved, and audited: what was
    # refused above was the other ICP, nothing else.
    form = _membership_form(world["home_committee"], world["home_person"], world["seat"])
    response = admin_client.post("/admin/partnership/membership/add/", form)
    assert response.status_code == 302, response.content.decode()
    saved = Membership.objects.get()
    assert (saved.committee, saved.person) == (world["home_committee"], world["home_person"])
    created = AuditEvent.objects.get(action="admin.create", target_type="partnership.membership")
    assert created.actor_username == "mo" and created.target_id == str(saved.pk)


def test_another_icps_memberships_are_not_listed_opened_changed_or_deleted(
    admin_client: Client,
    world: dict,  # type: ignore[type-arg]
) -> None:
    mine = _membership(world["home_committee"], world["home_person"], world["seat"])
    theirs = _membership(world["other_committee"], world["other_person"], world["seat"])
    listing = admin_client.get("/admin/partnership/membership/").content.decode()
    assert f"/admin/partnership/membership/{mine.pk}/change/" in listing
    assert f"/admin/partnership/membership/{theirs.pk}/change/" not in listing
    assert "Other Person (synthetic)" not in listing
    # Their membership does not open (the admin sends the manager back, as for a row that is not there)
    # and a change or deletion posted by hand leaves it as it was.
    opened = admin_client.get(f"/admin/partnership/membership/{theirs.pk}/change/")
    assert opened.status_code in (302, 404) and b"Other Person" not in opened.content
    changed = _membership_form(world["other_committee"], world["other_person"], world["seat"])
    admin_client.post(f"/admin/partnership/membership/{theirs.pk}/change/", {**changed, "office": "chair"})
    admin_client.post(f"/admin/partnership/membership/{theirs.pk}/delete/", {"post": "yes"})
    theirs.refresh_from_db()
    assert theirs.office == "member" and theirs.committee == world["other_committee"]
    # Nor through their committee's page, whose inline rows are their memberships.
    committee = world["other_committee"]
    assert admin_client.get(f"/admin/partnership/committee/{committee.pk}/change/").status_code in (302, 404)
    # Moving the manager's own membership onto their committee is refused too.
    moved = _membership_form(world["other_committee"], world["home_person"], world["seat"])
    response = admin_client.post(f"/admin/partnership/membership/{mine.pk}/change/", moved)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    mine.refresh_from_db()
    assert mine.committee == world["home_committee"]
    assert Membership.objects.count() == 2
    assert not AuditEvent.objects.filter(
        action__in=["admin.update", "admin.delete"], outcome="success", target_id=str(theirs.pk)
    ).exists()


def test_an_inline_membership_for_another_icps_person_is_refused_and_audited(
    admin_client: Client,
    world: dict,
    template: CompositionTemplate,  # type: ignore[type-arg]
) -> None:
    committee = world["home_committee"]
    # The person is in another ICP but the manager's own form can be made to name them only by
    # hand: first through the field (refused by its choices)...
    data = {
        "name": committee.name,
        "area": world["home"].pk,
        "template": template.pk,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-seat": world["seat"].pk,
        "memberships-0-person": world["other_person"].pk,
        "memberships-0-office": "member",
        "memberships-0-start_date": "2026-04-01",
    }
    response = admin_client.post(f"/admin/partnership/committee/{committee.pk}/change/", data)
    assert response.status_code == 200 and not Membership.objects.exists()


def test_the_check_on_save_refuses_what_the_choices_would_have_hidden(world: dict) -> None:  # type: ignore[type-arg]
    """Behind the form: a membership built for another ICP's committee is refused on save, audited."""
    from django.contrib import admin as django_admin
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from icp.partnership.admin import MembershipAdmin, outside_icp

    request = RequestFactory().post("/admin/")
    request.user = world["manager"]
    membership = Membership(
        committee=world["other_committee"],
        seat=world["seat"],
        person=world["home_person"],
        start_date=date(2026, 4, 1),
    )
    assert outside_icp(world["home"].pk, membership) == "for another ICP's committee"
    model_admin = MembershipAdmin(Membership, django_admin.site)
    form_class = model_admin.get_form(request)
    form = form_class(data=_membership_form(world["home_committee"], world["home_person"], world["seat"]))
    form.instance.committee = world["other_committee"]
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, membership, form, change=False)
    assert not Membership.objects.exists()


def test_an_organisation_that_would_serve_none_of_the_icp_is_refused_and_audited(
    admin_client: Client, world: dict
) -> None:  # type: ignore[type-arg]
    html = admin_client.get("/admin/partnership/organisation/add/").content.decode()
    assert options(html, "areas_served") == {str(world["home"].pk)}
    assert options(html, "icp") == {str(world["home"].pk)}
    response = admin_client.post(
        "/admin/partnership/organisation/add/",
        {"code": "T-NOWHERE", "name": "Nowhere Trust (synthetic)", "type": "trust", "areas_served": []},
    )
    assert response.status_code == 200 and "of your own ICP" in response.content.decode()
    assert not Organisation.objects.filter(code="T-NOWHERE").exists()
    refusal = AuditEvent.objects.get(action="admin.update", outcome="denied")
    assert refusal.actor_username == "mo" and "does not serve the ICP" in refusal.reason


def test_saving_a_shared_organisation_keeps_the_other_icps_it_serves(
    admin_client: Client, world: dict
) -> None:  # type: ignore[type-arg]
    shared = Organisation.objects.create(code="T-SHARED", name="Shared Trust (synthetic)", type="trust")
    shared.areas_served.add(world["home"], world["other"])
    response = admin_client.post(
        f"/admin/partnership/organisation/{shared.pk}/change/",
        {
            "code": "T-SHARED",
            "name": "Shared Trust, renamed (synthetic)",
            "type": "trust",
            "areas_served": [world["home"].pk],
        },
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.name.startswith("Shared Trust, renamed")
    assert set(shared.areas_served.values_list("code", flat=True)) == {HOME, OTHER}


def test_a_superuser_still_edits_every_icp(
    client: Client, world: dict, make_user: Callable[..., User]
) -> None:  # type: ignore[type-arg]
    root = create_user(
        username="root", password=None, role=UserRole.COMMITTEE_MEMBER, by=None, superuser=True
    )
    client.force_login(root)
    html = client.get("/admin/partnership/committee/add/").content.decode()
    assert {str(world["home"].pk), str(world["other"].pk)} <= options(html, "area")

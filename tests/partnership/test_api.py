"""The JSON API: OpenAPI document, login required, areas and practices, memberships by managers only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from openapi_spec_validator import validate

from icp.audit.models import AuditEvent
from icp.demo.partnership import create_demo_partnership
from icp.partnership.models import ApiToken, Committee, Person, User
from icp.partnership.roles import ProfessionalRole, UserRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee() -> Committee:
    create_demo_partnership(password="a-long-demo-password")
    return Committee.objects.get(area__code="NI-NOR-CA")


def test_openapi_document_is_valid_openapi(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert "/api/areas" in document["paths"]
    assert "/api/committees/{committee_id}/composition" in document["paths"]


@pytest.mark.parametrize(
    "path", ["/api/areas", "/api/practices", "/api/organisations", "/api/committees", "/api/areas/NI"]
)
def test_every_endpoint_refuses_anonymous_requests(client: Client, path: str) -> None:
    assert client.get(path).status_code == 401


def test_areas_lists_five_ni_areas_and_seventeen_icps(
    logged_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    client = logged_in(make_user(UserRole.GP))
    lcgs = client.get("/api/areas", {"level": "lcg_area", "within": "NI"}).json()
    icps = client.get("/api/areas", {"level": "icp", "within": "NI"}).json()
    assert len(lcgs) == 5 and len(icps) == 17
    assert {icp["parent"] for icp in icps} == {lcg["code"] for lcg in lcgs}


def test_unknown_level_is_a_clear_422(
    logged_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    response = logged_in(make_user()).get("/api/areas", {"level": "galaxy"})
    assert response.status_code == 422


def test_practices_of_an_icp_with_list_sizes(
    logged_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    practices = logged_in(make_user()).get("/api/practices", {"icp": "NI-NOR-CA"}).json()
    assert len(practices) == 16
    assert sum(p["list_size"] for p in practices) == 100_355
    assert all(p["icp"] == "NI-NOR-CA" and p["type"] == "gp_practice" for p in practices)


def test_composition_check_over_the_api(
    committee: Committee, logged_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    body = (
        logged_in(make_user()).get(f"/api/committees/{committee.pk}/composition", {"on": "2026-06-01"}).json()
    )
    assert body["vacancies"] == 1 and body["complete"] is False
    carer = next(seat for seat in body["seats"] if seat["seat_code"] == "carer")
    assert carer["status"] == "vacant"
    assert body["chair"]["ok"] is True


def test_a_bearer_token_authenticates(committee: Committee, make_user: Callable[..., User]) -> None:
    _, key = ApiToken.issue(make_user(), "test")
    client = Client()
    assert client.get("/api/committees", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert client.get("/api/committees", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_only_the_tokens_hash_is_stored(make_user: Callable[..., User]) -> None:
    token, key = ApiToken.issue(make_user(), "test")
    assert key not in token.key_hash and len(token.key_hash) == 64


def _new_carer_payload() -> dict[str, object]:
    person = Person.objects.create(name="A carer", professional_role=ProfessionalRole.CARER)
    return {"seat": "carer", "person_id": person.pk, "start_date": "2026-01-01"}


def test_a_manager_adds_a_member_with_a_token(committee: Committee, manager: User) -> None:
    _, key = ApiToken.issue(manager, "test")
    response = Client().post(
        f"/api/committees/{committee.pk}/memberships",
        _new_carer_payload(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["seat"] == "carer"
    assert AuditEvent.objects.filter(action="membership.create", actor_username=manager.username).exists()


def test_a_non_manager_is_forbidden_to_add_a_member(
    committee: Committee, make_user: Callable[..., User]
) -> None:
    _, key = ApiToken.issue(make_user(UserRole.GP), "test")
    response = Client().post(
        f"/api/committees/{committee.pk}/memberships",
        _new_carer_payload(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 403
    assert committee.memberships.filter(seat__code="carer").count() == 0


def test_session_writes_need_the_csrf_token(committee: Committee, manager: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(
        f"/api/committees/{committee.pk}/memberships", _new_carer_payload(), content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert committee.memberships.filter(seat__code="carer").count() == 0


def test_a_manager_updates_a_membership(committee: Committee, manager: User) -> None:
    membership = committee.memberships.get(person__name="Joan Synthetic")
    _, key = ApiToken.issue(manager, "test")
    response = Client().patch(
        f"/api/memberships/{membership.pk}",
        {"end_date": "2026-03-31"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["end_date"] == "2026-03-31"


def test_invalid_membership_dates_are_a_422_naming_the_field(committee: Committee, manager: User) -> None:
    membership = committee.memberships.get(person__name="Joan Synthetic")
    _, key = ApiToken.issue(manager, "test")
    response = Client().patch(
        f"/api/memberships/{membership.pk}",
        {"end_date": "2020-01-01"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422
    assert "end_date" in response.json()["detail"]


def test_organisations_of_an_icp_include_its_practices_and_partners(
    committee: Committee, logged_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    response = logged_in(make_user()).get("/api/organisations", {"icp": "NI-NOR-CA"})
    assert response.status_code == 200
    codes = [organisation["code"] for organisation in response.json()]
    assert len(codes) == len(set(codes))
    assert sum(1 for code in codes if code.startswith("NI-GP-")) == 16
    assert "NI-NOR-TRUST" in codes and "NI-NIAS" in codes

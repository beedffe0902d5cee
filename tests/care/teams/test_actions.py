"""Care teams: a named coordinator (one at a time) and carers linked as people; FHIR CareTeam."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from icp.care.actions import add_care_team_member
from icp.care.teams.actions import add_carer, set_care_coordinator
from icp.partnership.models import ApiToken
from tests.fhir.test_views import valid
from tests.sharing.conftest import World


def test_one_coordinator_and_carers_as_people(client: Client, shared_world: World) -> None:
    w = shared_world
    alice, gp = w.patients["alice"], w.users["gp"]
    nurse = add_care_team_member(patient=alice, organisation=w.orgs["trust"], role="district nurse", by=gp)
    volunteers = add_care_team_member(
        patient=alice, organisation=w.orgs["voluntary"], role="befriender", by=gp
    )
    set_care_coordinator(member=nurse, by=gp)
    set_care_coordinator(member=volunteers, by=gp)
    nurse.refresh_from_db()
    assert not nurse.coordinator and volunteers.coordinator
    add_carer(patient=alice, carer_patient=w.patients["bob"], relationship="brother", by=gp)
    add_carer(patient=alice, name="A neighbour (synthetic)", relationship="neighbour", by=gp)
    with pytest.raises(ValidationError):
        add_carer(patient=alice, relationship="friend", by=gp)
    with pytest.raises(PermissionDenied):
        add_carer(patient=w.patients["bob"], name="x", relationship="friend", by=gp)

    _, key = ApiToken.issue(gp, "fhir tests")
    team = valid(
        client.get("/fhir/CareTeam?patient=pt-alice-0001", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    )
    participants = team["entry"][0]["resource"]["participant"]
    roles = [p["role"][0]["text"] for p in participants]
    assert roles == [
        "district nurse",
        "care coordinator (befriender)",
        "unpaid carer (brother)",
        "unpaid carer (neighbour)",
    ]
    assert participants[2]["member"] == {"reference": "Patient/pt-bob-0002"}
    read = client.get("/fhir/CareTeam/team-pt-alice-0001", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert valid(read.json())["id"] == "team-pt-alice-0001"
    _, other = ApiToken.issue(w.users["gp_b"], "fhir tests")
    assert (
        client.get("/fhir/CareTeam/team-pt-alice-0001", HTTP_AUTHORIZATION=f"Bearer {other}").status_code
        == 403
    )


def test_the_care_team_on_the_person_page(client: Client, shared_world: World) -> None:
    client.force_login(shared_world.users["gp"])
    client.post(
        "/care/person/pt-alice-0001/team/", {"what": "member", "organisation": "T-VOL", "role": "befriender"}
    )
    client.post(
        "/care/person/pt-alice-0001/team/",
        {"what": "carer", "name": "A daughter (synthetic)", "relationship": "daughter"},
    )
    page = client.get("/care/person/pt-alice-0001/").content.decode()
    assert "Test Volunteers (synthetic), befriender" in page and "A daughter (synthetic), daughter" in page

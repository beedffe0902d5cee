"""Needs coded with SNOMED CT where a published source gives a concept (food insecurity), words
otherwise (digital exclusion); the counts planning needs (people with each need, carers recorded as
people) on the ICP caseload page, disclosure-controlled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from icp.care.emergency.actions import build_emergency_list, record_outreach
from icp.care.needs import carers_recorded, need_codes, needs_found, reason_codings
from icp.care.referrals.actions import create_referral
from icp.care.referrals.models import Service, need_words
from icp.care.teams.actions import add_carer
from icp.fhir.care import service_request
from icp.patients.models import RiskResult
from tests.care.pathways.conftest import risk_for
from tests.care.referrals.conftest import service
from tests.sharing.conftest import World

__all__ = ["risk_for", "service"]


def test_food_insecurity_is_coded_from_its_published_source_and_digital_exclusion_is_not() -> None:
    codes = need_codes()
    food = codes["food"]
    assert (food.code_system, food.code, food.display) == ("snomed", "733423003", "Food insecurity (finding)")
    assert food.url.startswith("https://hl7.org/fhir/us/sdoh-clinicalcare/") and "Gravity" in food.source
    # No published SNOMED CT concept was found for digital exclusion: words only, never a guess.
    assert "digital_access" not in codes
    assert reason_codings(["food", "digital_access"]) == [
        {"system": "http://snomed.info/sct", "code": "733423003", "display": "Food insecurity (finding)"}
    ]


@pytest.mark.django_db
def test_a_referral_carries_its_needs_coded_where_a_code_exists(
    shared_world: World, service: Service
) -> None:
    referral = create_referral(
        patient=shared_world.patients["alice"],
        service=service,
        reason="No food in the house; no internet (synthetic)",
        needs=["food", "digital_access"],
        by=shared_world.users["gp"],
    )
    reasons = service_request(referral)["reasonCode"]
    assert reasons[0] == {"text": "No food in the house; no internet (synthetic)"}
    assert reasons[1] == {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "733423003", "display": "Food insecurity (finding)"}
        ],
        "text": "Food",
    }
    assert reasons[2] == {"text": "Digital access"}


def test_planning_counts_needs_and_carers(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult], service: Service
) -> None:
    w = shared_world
    alice, bob, gp = w.patients["alice"], w.patients["bob"], w.users["gp"]
    risk_for(alice, lives_alone=True)
    hub_list = build_emergency_list(
        icp=w.icp,
        name="Alone (synthetic)",
        criteria=["lives_alone"],
        hub=w.orgs["voluntary"],
        by=w.users["manager"],
    )
    [entry] = hub_list.entries.all()
    record_outreach(entry=entry, reached=True, needs=["food", "digital_access"], by=w.users["voluntary"])
    record_outreach(entry=entry, reached=True, needs=["food"], by=w.users["voluntary"])  # the same person
    create_referral(patient=alice, service=service, reason="Lonely (synthetic)", needs=["loneliness"], by=gp)
    add_carer(patient=alice, carer_patient=bob, relationship="neighbour", by=gp)
    add_carer(patient=alice, name="A daughter (synthetic)", relationship="daughter", by=gp)

    since = timezone.localdate() - timedelta(days=365)
    counted = {n.need: (n.people, n.code) for n in needs_found(w.icp, since)}
    assert counted["food"] == (1, "733423003") and counted["digital_access"] == (1, "")
    assert counted["loneliness"] == (1, "") and counted["housing"] == (0, "")
    carers = carers_recorded(w.icp, timezone.localdate())
    assert (carers.carers, carers.carers_in_index, carers.cared_for) == (2, 1, 1)

    client.force_login(w.users["manager"])
    page = client.get(f"/care/icp/{w.icp.code}/caseload/").content.decode()
    assert "Needs and carers" in page and "733423003" in page and "not coded" in page
    # One person is a count from 1 to 7: suppressed on the page.
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">&lt;8</td>' in page


def test_needs_read_as_words_and_an_unknown_code_is_kept() -> None:
    words = need_words(["food", "digital_access", "loneliness"])
    assert words == "food, digital access, loneliness and isolation"
    assert need_words(["retired_need"]) == "retired_need" and need_words(None) == ""

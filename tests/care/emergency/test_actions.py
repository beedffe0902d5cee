"""Emergency-response lists: built from flags and registers, worked by a hub, outreach logged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from icp.audit.models import AuditEvent
from icp.care.deaths import record_death
from icp.care.emergency.actions import build_emergency_list, record_outreach, refer_from_contact
from icp.care.referrals.models import Service
from icp.patients.models import CareRelationship, RelationshipKind, RiskResult
from tests.sharing.conftest import World


def test_build_work_and_refer_from_an_emergency_list(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult], other_service: Service
) -> None:
    w = shared_world
    risk_for(w.patients["alice"], lives_alone=True, housebound=False, efi_category="severe")
    risk_for(
        w.patients["bob"], lives_alone=False, housebound=False, efi_category="fit", registers=[], carer=False
    )
    with pytest.raises(PermissionDenied):
        build_emergency_list(icp=w.icp, name="x", criteria=["lives_alone"], by=w.users["gp"])
    with pytest.raises(ValidationError):
        build_emergency_list(icp=w.icp, name="x", criteria=["rich"], by=w.users["manager"])
    shielding = build_emergency_list(
        icp=w.icp,
        name="Shielding outreach (synthetic)",
        criteria=["lives_alone", "severe_frailty", "housebound"],
        hub=w.orgs["voluntary"],
        by=w.users["manager"],
    )
    [entry] = shielding.entries.all()
    assert entry.patient == w.patients["alice"] and entry.reasons == ["Lives alone", "Severe frailty (eFI)"]
    assert (
        CareRelationship.objects.filter(
            kind=RelationshipKind.EMERGENCY_RESPONSE, organisation=w.orgs["voluntary"]
        ).count()
        == 1
    )

    contact = record_outreach(
        entry=entry, reached=True, needs=["food", "digital_access"], by=w.users["voluntary"]
    )
    referral = refer_from_contact(contact=contact, service=other_service, by=w.users["voluntary"])
    assert referral.needs == ["food", "digital_access"] and contact.referral == referral
    assert referral.reason == "Needs found on outreach: food, digital access."  # words, not codes
    with pytest.raises(PermissionDenied):  # the pharmacy does not work this list
        record_outreach(entry=entry, reached=False, by=w.users["pharmacist"])

    client.force_login(w.users["voluntary"])
    page = client.get(f"/care/emergency/{shielding.public_id}/").content.decode()
    assert "ZEPHYRINE, Alice" in page and "Lives alone; Severe frailty (eFI)" in page and "referred" in page
    client.force_login(w.users["ambulance"])  # emergency responders read it under the emergency purpose
    assert "ZEPHYRINE, Alice" in client.get(f"/care/emergency/{shielding.public_id}/").content.decode()
    assert AuditEvent.objects.filter(action="emergency_list.view", purpose="emergency").exists()

    record_death(
        patient=w.patients["alice"],
        died_on=w.patients["alice"].birth_date.replace(year=2026),
        by=w.users["gp"],
    )  # type: ignore[union-attr]
    client.force_login(w.users["voluntary"])
    assert "ZEPHYRINE" not in client.get(f"/care/emergency/{shielding.public_id}/").content.decode()


def test_a_manager_builds_a_list_from_the_page(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    risk_for(shared_world.patients["alice"], housebound=True)
    client.force_login(shared_world.users["manager"])
    response = client.post(
        "/care/emergency/", {"name": "Housebound (synthetic)", "criteria": ["housebound"]}, follow=True
    )
    assert "Built Housebound (synthetic): 1 people." in response.content.decode()

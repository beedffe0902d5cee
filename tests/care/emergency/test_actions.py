"""Emergency-response lists: built from flags and registers, worked by a hub, outreach logged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from icp.audit.models import AuditEvent
from icp.care.deaths import record_death
from icp.care.emergency.actions import build_emergency_list, record_outreach, refer_from_contact
from icp.care.referrals.models import Service
from icp.patients.models import CareRelationship, RelationshipKind, RiskResult
from icp.patients.risk_sync import sync_results
from icp.records.warehouse import Warehouse
from icp.stratify.run import results_path
from tests.care.risk_rows import RUN_ID, result_row, results_table
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


def test_a_list_finds_the_low_tier_too_from_the_runs_file(
    shared_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A housebound person at low risk of admission matters in a heatwave: the app database has no
    row for them (ADR 0212), the list still finds them, from the run's warehouse file."""
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    w = shared_world
    practice_a, practice_b = w.orgs["practice_a"].code, w.orgs["practice_b"].code
    table = results_table(
        result_row("pt-alice-0001", practice_a, housebound=False, efi_category="fit", registers=[]),
        result_row(
            "pt-bob-0002",
            practice_b,
            risk_rank=2,
            tier="low",
            housebound=True,
            registers=["learning_disability"],
        ),
        result_row("pt-dan-0004", practice_a, risk_rank=3, tier="low", registers=["learning_disability"]),
    )
    path = results_path(Warehouse(), w.icp.code, RUN_ID)
    path.parent.mkdir(parents=True)
    pq.write_table(table, path)
    sync_results(w.icp, table)
    assert not RiskResult.objects.filter(tier="low").exists()

    housebound = build_emergency_list(
        icp=w.icp, name="Heatwave (synthetic)", criteria=["housebound"], by=w.users["manager"]
    )
    assert [(e.patient, e.reasons) for e in housebound.entries.all()] == [(w.patients["bob"], ["Housebound"])]
    registers = build_emergency_list(
        icp=w.icp,
        name="Learning disability (synthetic)",
        criteria=["learning_disability", "severe_frailty"],
        by=w.users["manager"],
    )
    # Dan is in the run but not in the patient index: nobody to list.
    assert [(e.patient, e.reasons) for e in registers.entries.all()] == [
        (w.patients["bob"], ["Learning disability register"])
    ]

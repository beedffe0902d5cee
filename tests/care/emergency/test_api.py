"""The JSON API for emergency-response lists: the lists of the user's ICP, one list's people (each
through the access decision, the view audited with its purpose), and an outreach contact with a
referral from it; refused to those the list is not for."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from icp.audit.models import AuditEvent
from icp.care.emergency.actions import build_emergency_list
from icp.care.referrals.models import Service
from icp.patients.models import RiskResult
from tests.care.plans.test_api import auth
from tests.sharing.conftest import World


def test_emergency_lists_through_the_api(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult], other_service: Service
) -> None:
    w = shared_world
    risk_for(w.patients["alice"], lives_alone=True, efi_category="severe")
    risk_for(
        w.patients["bob"], lives_alone=False, housebound=False, efi_category="fit", registers=[], carer=False
    )
    shielding = build_emergency_list(
        icp=w.icp,
        name="Shielding outreach (synthetic)",
        criteria=["lives_alone", "severe_frailty"],
        hub=w.orgs["voluntary"],
        by=w.users["manager"],
    )

    listed = client.get("/api/care/emergency-lists", **auth(w.users["voluntary"])).json()
    assert [(e["id"], e["hub"], e["criteria"]) for e in listed] == [
        (shielding.public_id, "T-VOL", ["lives_alone", "severe_frailty"])
    ]
    assert client.get("/api/care/emergency-lists", **auth(w.users["pharmacist"])).json() == []

    read = client.get(f"/api/care/emergency-lists/{shielding.public_id}", **auth(w.users["voluntary"]))
    assert read.status_code == 200, read.content
    body = read.json()
    assert body["purpose"] == "care_coordination" and body["hidden_by_access_decision"] == 0
    [person] = body["people"]
    assert person["patient_id"] == "pt-alice-0001" and person["reasons"] == [
        "Lives alone",
        "Severe frailty (eFI)",
    ]
    # Emergency responders read it under the emergency-response purpose.
    by_ambulance = client.get(
        f"/api/care/emergency-lists/{shielding.public_id}", **auth(w.users["ambulance"])
    )
    assert by_ambulance.json()["purpose"] == "emergency"
    assert AuditEvent.objects.filter(action="emergency_list.view", purpose="emergency").exists()
    # The pharmacy neither works the list nor acts for emergency response: 403, and the refusal audited.
    refused = client.get(f"/api/care/emergency-lists/{shielding.public_id}", **auth(w.users["pharmacist"]))
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="emergency_list.view", outcome="denied").exists()
    assert client.get("/api/care/emergency-lists/nope", **auth(w.users["voluntary"])).status_code == 404

    contact_url = f"/api/care/emergency-lists/{shielding.public_id}/people/{person['entry_id']}/contacts"
    logged = client.post(
        contact_url,
        {"reached": True, "needs": ["food", "digital_access"], "refer_to_service": other_service.public_id},
        content_type="application/json",
        **auth(w.users["voluntary"]),
    )
    assert logged.status_code == 201, logged.content
    assert logged.json()["needs"] == ["food", "digital_access"] and logged.json()["referral"]
    bad = client.post(
        contact_url,
        {"reached": True, "needs": ["caviar"]},
        content_type="application/json",
        **auth(w.users["voluntary"]),
    )
    assert bad.status_code == 422 and "caviar" in bad.content.decode()
    not_theirs = client.post(
        contact_url, {"reached": False}, content_type="application/json", **auth(w.users["pharmacist"])
    )
    assert not_theirs.status_code == 403
    again = client.get(
        f"/api/care/emergency-lists/{shielding.public_id}", **auth(w.users["voluntary"])
    ).json()
    assert [c["reached"] for c in again["people"][0]["contacts"]] == [True]

    paths = client.get("/api/openapi.json", **auth(w.users["voluntary"])).json()["paths"]
    assert {"/api/care/emergency-lists", "/api/care/emergency-lists/{list_id}"} <= set(paths)
    assert "/api/care/emergency-lists/{list_id}/people/{entry_id}/contacts" in paths

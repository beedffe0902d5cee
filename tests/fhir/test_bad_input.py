"""Odd values sent to the FHIR API are 4xx OperationOutcomes naming what was wrong, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from icp.care.referrals.models import Referral
from icp.partnership.models import ApiToken
from tests.care.referrals.conftest import make_referral, other_service, service, user_in
from tests.fhir.test_care_views import put
from tests.sharing.conftest import World

__all__ = ["make_referral", "other_service", "service", "user_in"]
HUGE = "9" * 40


def _get(client: Client, world: World, url: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    _, key = ApiToken.issue(world.users["gp"], "bad input")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/fhir/Patient?family=Zephyrine&birthdate=2026-02-30", 400, "not a day of the calendar"),
        ("/fhir/Patient?family=Zephyrine&birthdate=eq1941-3-2", 400, "YYYY-MM-DD"),
        ("/fhir/Patient?family=Zephyrine&_count=²", 400, "digits 0-9"),
        ("/fhir/Patient?family=Zephyrine&_count=١٢", 400, "digits 0-9"),
        (f"/fhir/Patient?family=Zephyrine&_count={HUGE}", 400, "_count"),
        ("/fhir/Patient?family=Zephyrine&_count=" + "9" * 5000, 400, "_count"),
        ("/fhir/AuditEvent?patient=pt-alice-0001&date=ge2026-02-30", 400, "date (ge)"),
        (f"/fhir/AuditEvent/{HUGE}", 404, "No AuditEvent"),
        ("/fhir/AuditEvent/²", 404, "No AuditEvent"),
        (f"/fhir/Consent/choice-{HUGE}", 404, "No Consent"),
        ("/fhir/Consent/" + "a" * 5000, 404, "No Consent"),
        ("/fhir/AuditEvent/" + "f" * 5000, 404, "No AuditEvent"),
        (f"/fhir/Patient/{HUGE}", 404, "No record with that id"),
        ("/fhir/Patient/S-NI-NOR-CA-1", 404, "No record with that id"),
        (f"/fhir/Condition?patient={'x' * 5000}", 404, "No record with that id"),
    ],
)
def test_odd_values_are_4xx_operation_outcomes(
    client: Client, shared_world: World, url: str, status: int, says: str
) -> None:
    code, body = _get(client, shared_world, url)
    assert code == status, body
    assert body["resourceType"] == "OperationOutcome" and says in body["issue"][0]["diagnostics"]


def test_an_if_match_that_is_not_a_version_is_a_400(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral()
    for etag in (f'W/"{HUGE}"', 'W/"²"', "soon"):
        response = put(client, referral, shared_world.users["voluntary"], "accepted", HTTP_IF_MATCH=etag)
        assert response.status_code == 400, (etag, response.content)
        assert "If-Match" in response.json()["issue"][0]["diagnostics"]


def test_a_body_over_the_size_limit_is_a_413_operation_outcome(
    client: Client, shared_world: World, make_referral: Callable[..., Referral], settings: Any
) -> None:
    referral = make_referral()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    _, key = ApiToken.issue(shared_world.users["gp"], "bad input")
    response = client.put(
        f"/fhir/Task/{referral.public_id}",
        json.dumps({"resourceType": "Task", "note": [{"text": "x" * 5000}]}),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 413
    body = response.json()
    assert (
        body["resourceType"] == "OperationOutcome"
        and "limit of 1,024 bytes" in body["issue"][0]["diagnostics"]
    )

"""The governance JSON API: every subject's endpoints in the OpenAPI document, none for anonymous callers."""

from __future__ import annotations

from django.test import Client
from openapi_spec_validator import validate


def test_the_endpoints_are_in_the_openapi_document(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    validate(document)
    for path in (
        "/api/governance/meetings",
        "/api/governance/actions",
        "/api/governance/business-cases",
        "/api/governance/business-cases/{case_id}/transitions/{verb}",
        "/api/governance/echo/networks",
    ):
        assert path in document["paths"], path
    assert "post" in document["paths"]["/api/governance/business-cases"]


def test_anonymous_requests_are_refused(client: Client) -> None:
    assert client.get("/api/governance/meetings").status_code == 401

"""The API's OpenAPI document as a browser reads it: one key per name at every depth (Swagger UI
reads the document with a YAML parser, which refuses a repeated key that JSON.parse lets through),
status codes as strings, and an operation's own documented errors kept beside the generic ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from icp.partnership.models import User

pytestmark = pytest.mark.django_db


def without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"keys written twice in one object: {repeated} (of {names})"
    return dict(pairs)


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    reader = User.objects.create_user(username="reader", password="a-long-password", role="analyst")
    client.force_login(reader)
    response = client.get("/api/openapi.json", HTTP_ACCEPT="application/json,*/*")
    assert response.status_code == 200
    parsed: dict[str, Any] = json.loads(response.content, object_pairs_hook=without_repeated_keys)
    return parsed


def test_the_served_document_writes_each_key_once(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.")


def test_every_operation_documents_the_common_errors_under_string_codes(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= codes, (method, path, codes)


def test_an_operations_own_refusal_schema_is_kept(document: dict[str, Any]) -> None:
    record = document["paths"]["/api/sharing/patients/{patient_id}/record"]["get"]["responses"]
    assert record["403"]["content"]["application/json"]["schema"]["$ref"] != "#/components/schemas/Error"

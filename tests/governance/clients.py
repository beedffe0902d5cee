"""Clients for the governance tests: a logged-in browser, and a script calling the API with a token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from icp.partnership.models import ApiToken, User


def browser(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class Api:
    """A client that calls the API with a bearer token, as a script would."""

    def __init__(self, user: User) -> None:
        _, self.key = ApiToken.issue(user, "test")
        self.client = Client()

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/governance{path}", params, HTTP_AUTHORIZATION=f"Bearer {self.key}")

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/governance{path}",
            json.dumps(body or {}, default=str),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.key}",
        )

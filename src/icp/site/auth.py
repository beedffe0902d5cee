"""Authentication for the JSON API: a Django session (with CSRF) or a bearer API token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from icp.partnership.accounts import authenticate_api_key


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`; the key is compared by its SHA-256 hash. An unknown, expired or
    revoked key gets 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_api_key(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [ApiTokenAuth(), django_auth]

"""Authentication for the JSON API: a Django session (with CSRF) or a bearer API token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from icp.partnership.models import ApiToken


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`; the key is compared by its SHA-256 hash."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        request.user = found.user
        return found.user


API_AUTH = [ApiTokenAuth(), django_auth]

"""Login throttling: after repeated failed logins an account (or an address) is locked for a while.

Failures are rows in the app database (`LoginFailure`), so the lock holds across worker processes.
The limits are settings: `ICP_LOGIN_FAILURE_LIMIT` failures for one username (default 5), or
`ICP_LOGIN_ADDRESS_LIMIT` from one address (default 20), within `ICP_LOGIN_LOCKOUT_MINUTES`
(default 15). Every failure and every refusal while locked is an audit event; a successful login
clears the username's failures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import Outcome
from icp.sharing.models import LoginFailure


def _limits() -> tuple[int, int, timedelta]:
    return (
        int(getattr(settings, "ICP_LOGIN_FAILURE_LIMIT", 5)),
        int(getattr(settings, "ICP_LOGIN_ADDRESS_LIMIT", 20)),
        timedelta(minutes=int(getattr(settings, "ICP_LOGIN_LOCKOUT_MINUTES", 15))),
    )


def client_address(request: HttpRequest | None) -> str | None:
    """The peer address (REMOTE_ADDR; a proxy in front should set it, not X-Forwarded-For)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:150]


def locked(username: str, address: str | None) -> bool:
    """True while the username, or the address, has too many recent failures."""
    per_user, per_address, window = _limits()
    since = timezone.now() - window
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=_normal(username)).count() >= per_user:
        return True
    return bool(address) and recent.filter(ip_address=address).count() >= per_address


def note_failure(username: str, request: HttpRequest | None) -> None:
    address = client_address(request)
    LoginFailure.objects.create(username=_normal(username), ip_address=address, at=timezone.now())
    record(action=EventType.LOGIN_FAILED, outcome=Outcome.FAILED, detail={"username": _normal(username)})


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=_normal(username)).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing to check passwords for a locked username or address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        name = username if username is not None else kwargs.get("username", "")
        if locked(name or "", client_address(request)):
            record(
                action=EventType.LOGIN_LOCKED,
                outcome=Outcome.DENIED,
                detail={"username": _normal(name or "")},
            )
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, saying plainly when an account is locked rather than 'wrong password'."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and locked(username, client_address(self.request)):
            minutes = _limits()[2].seconds // 60
            record(
                action=EventType.LOGIN_LOCKED, outcome=Outcome.DENIED, detail={"username": _normal(username)}
            )
            raise forms.ValidationError(
                f"Too many failed attempts. Try again in {minutes} minutes, or ask your administrator.",
                code="locked",
            )
        return super().clean()


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    note_failure(str(credentials.get("username", "")), request)


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    clear_failures(user.get_username())

"""Login throttling that slows a password guesser without letting anyone lock others out.

Failures are rows in the app database (`LoginFailure`), so the throttle holds across worker
processes. Within `ICP_LOGIN_LOCKOUT_MINUTES` (default 15) two things are counted:

- failures for one account **from one client address**: `ICP_LOGIN_FAILURE_LIMIT` (default 5) of
  them stop that account signing in from that address. A guesser elsewhere cannot lock the real
  user out: their failures count against their own address, not the account everywhere.
- failures from one client address, whatever the account: `ICP_LOGIN_ADDRESS_LIMIT` (default 20)
  stop that address signing in at all (one machine trying many accounts).

Failures for one account from every address are counted too and written into each failure's audit
event (`account_failures`), so an IG lead sees an account under a spread-out attack; they lock
nothing, because a lock by account alone is exactly the lever that locks everyone out. Against a
guesser spread over many addresses the second factor (icp.site.two_factor) is the defence.

The client address is the peer address, unless the peer is one of `ICP_TRUSTED_PROXIES` (addresses
or networks of the reverse proxies in front of icp): then the right-most address in
X-Forwarded-For that is not a trusted proxy. A client cannot choose its address by sending the
header itself, because the header is read only from a trusted proxy.

Every failure and every refusal while throttled is an audit event; a successful login clears the
failures of that account from that address.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import Outcome
from icp.sharing.models import LoginFailure

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _limits() -> tuple[int, int, timedelta]:
    return (
        int(getattr(settings, "ICP_LOGIN_FAILURE_LIMIT", 5)),
        int(getattr(settings, "ICP_LOGIN_ADDRESS_LIMIT", 20)),
        timedelta(minutes=int(getattr(settings, "ICP_LOGIN_LOCKOUT_MINUTES", 15))),
    )


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in configured if item.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"ICP_TRUSTED_PROXIES: {error}") from error


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "ICP_TRUSTED_PROXIES", ())))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address: the peer, or behind trusted proxies the right-most untrusted hop of
    X-Forwarded-For. A header from anyone else, or a malformed hop, is ignored."""
    if request is None:
        return None
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    proxies = trusted_proxies()
    if not proxies or not _trusted(peer, proxies):
        return str(peer)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a hop we cannot read: stop at the last address a trusted proxy vouched for
        if not _trusted(address, proxies):
            return str(address)
        peer = address
    return str(peer)


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:150]


def locked(username: str, address: str | None) -> bool:
    """True while this account from this address, or this address, has too many recent failures."""
    per_account_and_address, per_address, window = _limits()
    recent = LoginFailure.objects.filter(at__gte=timezone.now() - window)
    if recent.filter(username=_normal(username), ip_address=address).count() >= per_account_and_address:
        return True
    return bool(address) and recent.filter(ip_address=address).count() >= per_address


def note_failure(username: str, request: HttpRequest | None) -> None:
    address = client_address(request)
    name = _normal(username)
    LoginFailure.objects.create(username=name, ip_address=address, at=timezone.now())
    window = _limits()[2]
    account_failures = LoginFailure.objects.filter(username=name, at__gte=timezone.now() - window).count()
    record(
        action=EventType.LOGIN_FAILED,
        outcome=Outcome.FAILED,
        detail={"username": name, "address": address, "account_failures": account_failures},
    )


def clear_failures(username: str, address: str | None) -> None:
    LoginFailure.objects.filter(username=_normal(username), ip_address=address).delete()


def _refuse_locked(username: str, address: str | None) -> None:
    record(
        action=EventType.LOGIN_LOCKED,
        outcome=Outcome.DENIED,
        detail={"username": _normal(username), "address": address},
    )


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing to check a password while the account is throttled from
    this address (or the address is)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        name = username if username is not None else kwargs.get("username", "")
        address = client_address(request)
        if locked(name or "", address):
            _refuse_locked(name or "", address)
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, saying plainly when sign-in is paused rather than 'wrong password'."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if username and locked(username, address):
            minutes = _limits()[2].seconds // 60
            _refuse_locked(username, address)
            raise forms.ValidationError(
                f"Too many failed attempts from this computer. Try again in {minutes} minutes, "
                "or ask your administrator.",
                code="locked",
            )
        return super().clean()


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    note_failure(str(credentials.get("username", "")), request)


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    clear_failures(user.get_username(), client_address(request))

"""Two-factor sign-in: a time-based one-time code (TOTP, RFC 6238) after the password.

Who needs it: every login whose role can open identifiable records (`icp.sharing.rules.
TWO_FACTOR_ROLES`) and every superuser. The synthetic demo's own logins (`User.demo_account`) sign in
with their password alone, and only while the site runs as the demo (`ICP_DEBUG=1`); anywhere else
they need a second factor like everyone.

How: django-otp keeps the TOTP devices, checks codes (with its own back-off after wrong codes) and
marks the session verified (`OTPMiddleware`). `TwoFactorMiddleware` sends a signed-in user who
needs a second factor and has not given one to the verify page (or, with no device yet, the
enrolment page); on the JSON and FHIR APIs such a half-signed-in session counts as no login at
all, so they answer 401 (API tokens are unaffected: they are issued by an operator to one login).
The enrolment page draws its QR code on the server as SVG (segno): no script, no third party.

Every enrolment, wrong code and reset is an audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import Outcome
from icp.sharing.rules import TWO_FACTOR_ROLES
from icp.sharing.throttle import ThrottledAuthenticationForm

# Paths a half-signed-in user may still reach: the two-factor pages themselves, logging out, the
# health check and static files.
_OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/two-factor/", "/health", "/static/")
_API_PREFIXES = ("/api/", "/fhir/")


def needs_two_factor(user: Any) -> bool:
    """True when `user` must give a second factor before seeing anything."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "demo_account", False) and settings.DEBUG:
        return False
    return bool(user.is_superuser or user.role in TWO_FACTOR_ROLES)


def is_verified(user: Any) -> bool:
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def pending(request: HttpRequest) -> bool:
    """True while the signed-in user still owes a second factor."""
    return needs_two_factor(request.user) and not is_verified(request.user)


class TwoFactorMiddleware:
    """After OTPMiddleware: hold a user who owes a second factor at the two-factor pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if pending(request) and not request.path.startswith(_OPEN_PREFIXES):
            if request.path.startswith(_API_PREFIXES):
                # A session that has not given its second factor is no login at all to the APIs.
                request.user = AnonymousUser()
            else:
                return redirect(_step_url(request, request.get_full_path()))
        return self.get_response(request)


def _step_url(request: HttpRequest, target: str) -> str:
    step = "two-factor-verify" if user_has_device(request.user) else "two-factor-enrol"
    return f"{reverse(step)}?{REDIRECT_FIELD_NAME}={quote(target)}"


class SignInView(LoginView):
    """The password step (behind the login throttle), going straight on to the code when one is owed."""

    authentication_form = ThrottledAuthenticationForm

    def get_success_url(self) -> str:
        target = super().get_success_url()
        return _step_url(self.request, target) if pending(self.request) else target


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code",
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "Enter the code as 6 digits, like 123456",
        },
    )

    def token(self) -> str:
        return str(self.cleaned_data["code"]).strip()


def _next(request: HttpRequest) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _code_accepted(request: HttpRequest, form: CodeForm, device: TOTPDevice, step: str) -> bool:
    """Check the code against the device (django-otp backs off after wrong codes); a wrong or
    throttled code is recorded and explained on the form."""
    allowed, _ = device.verify_is_allowed()
    if allowed and device.verify_token(form.token()):
        return True
    record(
        action=EventType.TWO_FACTOR_FAILED,
        actor=request.user,
        target=device,
        outcome=Outcome.FAILED,
        detail={"step": step, "throttled": not allowed},
    )
    if allowed:
        form.add_error("code", "That code is not right, or it has expired. Enter the code your app shows now")
    else:
        form.add_error("code", "Too many wrong codes. Wait a minute, then enter the code your app shows")
    return False


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code from the user's authenticator app."""
    if not pending(request):
        return redirect(_next(request))
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('two-factor-enrol')}?{REDIRECT_FIELD_NAME}={quote(_next(request))}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(request, form, device, "sign-in"):
        otp_login(request, device)
        return redirect(_next(request))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(device: TOTPDevice) -> str:
    """The provisioning address as an inline SVG QR code (no script, no image from elsewhere)."""
    code = segno.make(device.config_url, error="m")
    svg: str = code.svg_inline(
        omitsize=True, dark="#212b32", light="#ffffff", title="QR code for your authenticator app"
    )
    return svg


def _key_groups(device: TOTPDevice) -> str:
    """The shared key in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code (or type the key), then confirm with one code."""
    if not needs_two_factor(request.user) or user_has_device(request.user):
        return redirect(_next(request))
    user = request.user
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(request, form, device, "enrolment"):
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            record(action=EventType.TWO_FACTOR_ENROL, actor=user, target=device)
        otp_login(request, device)
        return redirect(_next(request))
    context = {"form": form, "qr_svg": _qr_svg(device), "key": _key_groups(device), "next": _next(request)}
    return render(request, "registration/two_factor_enrol.html", context)


def reset_two_factor(*, user: Any, by: Any) -> int:
    """Remove a login's authenticator devices (a lost phone): at the next sign-in they enrol again.
    Audited. Returns how many devices were removed."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        record(
            action=EventType.TWO_FACTOR_RESET,
            actor=by,
            target=user,
            detail={"user": user.get_username(), "devices_removed": removed},
        )
    return int(removed)

"""Two-factor sign-in through the real pages: who needs it, enrolment with a QR code, the code step,
its back-off, the APIs refusing a half-signed-in session, the demo's exemption, and resets."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from typer.testing import CliRunner

from icp.audit.models import AuditEvent
from icp.cli import app
from icp.partnership.accounts import create_user
from icp.partnership.models import User
from icp.partnership.roles import UserRole
from icp.site.two_factor import needs_two_factor

LOGIN = "/accounts/login/"
PASSWORD = "violet-harbour-lantern-42"
ENROL = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/"


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code an authenticator app shows now (or `offset_steps` periods away), by RFC 6238."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps)
    return f"{code:06d}"


@pytest.fixture
def gp(db: None) -> User:
    return create_user(username="gp-two", password=PASSWORD, role=UserRole.GP, by=None)


def sign_in(client: Client, username: str, next_page: str = "/sharing/patients/") -> str:
    response = client.post(LOGIN, {"username": username, "password": PASSWORD, "next": next_page})
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


@pytest.mark.parametrize(
    ("role", "needed"),
    [
        (UserRole.GP, True),
        (UserRole.TRUST_CLINICIAN, True),
        (UserRole.VOLUNTARY_WORKER, True),
        (UserRole.IG_LEAD, True),
        (UserRole.ICP_MANAGER, True),
        (UserRole.ANALYST, False),
        (UserRole.COMMITTEE_MEMBER, False),
        (UserRole.REVIEWER, False),
    ],
)
def test_every_role_that_can_open_identifiable_records_needs_a_second_factor(
    db: None, role: str, needed: bool
) -> None:
    user = create_user(username=f"u-{role}", password=PASSWORD, role=role, by=None)
    assert needs_two_factor(user) is needed
    superuser = create_user(
        username=f"root-{role}", password=PASSWORD, role=UserRole.COMMITTEE_MEMBER, by=None, superuser=True
    )
    assert needs_two_factor(superuser)


def test_a_first_sign_in_sets_up_an_app_from_a_server_drawn_qr_code(client: Client, gp: User) -> None:
    assert sign_in(client, "gp-two").startswith(ENROL)
    # Until the second factor is given, every page leads back to it and no menu is shown.
    held = client.get("/sharing/patients/")
    assert held.status_code == 302 and held["Location"].startswith(ENROL)
    page = client.get(f"{ENROL}?next=/sharing/patients/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "QR code for your authenticator app" in html
    assert "<img" not in html.split("<main", 1)[1] and "nhsuk-header__navigation" not in html
    assert re.search(r"icp-totp-key\">([A-Z2-7]{4} ?)+<", html)
    device = TOTPDevice.objects.get(user=gp)
    assert not device.confirmed

    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="two_factor.failed", actor_username="gp-two").count() == 1

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the back-off is tested below; here, the right code next
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post(ENROL, {"code": code_for(device), "next": "/sharing/patients/"})
    assert done.status_code == 302 and done["Location"] == "/sharing/patients/"
    assert TOTPDevice.objects.get(user=gp).confirmed
    assert AuditEvent.objects.filter(action="two_factor.enrol", actor_username="gp-two").exists()
    assert client.get("/sharing/patients/").status_code == 200


def test_a_later_sign_in_asks_for_the_code_and_the_apis_refuse_until_it_is_given(
    client: Client, gp: User
) -> None:
    device = TOTPDevice.objects.create(user=gp, name="phone", confirmed=True)
    assert sign_in(client, "gp-two").startswith(VERIFY)
    assert client.get("/api/committees").status_code == 401
    assert client.get("/fhir/Patient?name=Nobody").status_code == 401
    page = client.get(VERIFY).content.decode()
    assert "Enter the code from your authenticator app" in page
    bad = client.post(VERIFY, {"code": "12345"})
    assert "Enter the code as 6 digits" in bad.content.decode()
    response = client.post(VERIFY, {"code": code_for(device), "next": "/api/committees"})
    assert response.status_code == 302 and response["Location"] == "/api/committees"
    assert client.get("/api/committees").status_code == 200
    assert client.get("/sharing/patients/").status_code == 200


def test_wrong_codes_back_off_so_codes_cannot_be_guessed_quickly(client: Client, gp: User) -> None:
    device = TOTPDevice.objects.create(user=gp, name="phone", confirmed=True)
    sign_in(client, "gp-two")
    right = code_for(device)
    wrong = next(
        f"{n:06d}"
        for n in range(1, 10)
        if f"{n:06d}" not in {right, code_for(device, -1), code_for(device, 1)}
    )
    client.post(VERIFY, {"code": wrong})
    # Straight after a wrong code even the right one is refused: django-otp's back-off.
    refused = client.post(VERIFY, {"code": right})
    assert "Too many wrong codes" in refused.content.decode()
    events = AuditEvent.objects.filter(action="two_factor.failed").order_by("sequence")
    assert [event.detail["throttled"] for event in events] == [False, True]
    assert client.get("/sharing/patients/").status_code == 302


def test_a_next_address_elsewhere_is_not_followed(client: Client, gp: User) -> None:
    device = TOTPDevice.objects.create(user=gp, name="phone", confirmed=True)
    sign_in(client, "gp-two")
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"


def test_roles_without_identifiable_access_sign_in_with_a_password_alone(client: Client, db: None) -> None:
    create_user(username="an-analyst", password=PASSWORD, role=UserRole.ANALYST, by=None)
    assert sign_in(client, "an-analyst", "/") == "/"
    assert client.get("/api/committees").status_code == 200


def test_the_demo_accounts_skip_the_second_factor_only_in_the_demo(
    client: Client, db: None, settings
) -> None:  # type: ignore[no-untyped-def]
    create_user(username="demo-gp", password=PASSWORD, role=UserRole.GP, by=None, demo_account=True)
    create_user(username="real-gp", password=PASSWORD, role=UserRole.GP, by=None)
    settings.DEBUG = True
    login_page = client.get(LOGIN).content.decode()
    assert "log in with their password alone" in login_page
    assert sign_in(client, "demo-gp") == "/sharing/patients/"
    assert sign_in(Client(), "real-gp").startswith(ENROL)  # an ordinary account, even in the demo
    settings.DEBUG = False
    assert sign_in(Client(), "demo-gp").startswith(ENROL)  # outside the demo, like everyone
    assert "authenticator app" in Client().get(LOGIN).content.decode()
    assert "password alone" not in Client().get(LOGIN).content.decode()


def test_a_reset_removes_the_app_and_the_next_sign_in_enrols_again(client: Client, gp: User) -> None:
    TOTPDevice.objects.create(user=gp, name="phone", confirmed=True)
    result = CliRunner().invoke(app, ["two-factor", "reset", "gp-two"])
    assert result.exit_code == 0 and "Removed 1 authenticator app of gp-two" in result.output
    assert not TOTPDevice.objects.filter(user=gp).exists()
    event = AuditEvent.objects.get(action="two_factor.reset")
    assert event.target_id == str(gp.pk) and event.detail["devices_removed"] == 1
    assert sign_in(client, "gp-two").startswith(ENROL)

"""A clinician who is not one of the demo's own accounts signs in for the first time in the browser:
password, then setting up an authenticator app from the QR code (its key read off the page, the code
computed as an app would), then the code step at the next sign-in; the pages pass axe-core and fit a
390 px screen. The demo's own accounts still sign in with the password alone (ICP_DEBUG=1)."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations
from tests.e2e.conftest import DEMO_PASSWORD

USERNAME = "dr-second-factor"


@pytest.fixture(scope="module")
def clinician(demo_site: str, demo_env: dict[str, str]) -> str:
    """A GP login made with `icp createuser` beside the running demo: not a demo account."""
    made = subprocess.run(
        [sys.executable, "-m", "icp", "createuser", USERNAME, "--role", "gp", "--icp", "NI-NOR-CA"],
        env={**demo_env, "ICP_PASSWORD": DEMO_PASSWORD},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return USERNAME


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    yield context.new_page()
    context.close()


def _sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def _code(key_text: str, steps_ahead: int = 0) -> str:
    secret = key_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def _problems(page: Any) -> list[dict[str, Any]]:
    return axe_violations(page)


def test_first_sign_in_sets_up_an_app_then_the_code_is_asked_each_time(
    demo_site: str, clinician: str, phone: Any
) -> None:
    _sign_in(phone, demo_site, clinician)
    assert "/accounts/two-factor/set-up/" in phone.url
    assert phone.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    assert phone.locator(".icp-qr-code svg").is_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert _problems(phone) == []
    phone.get_by_text("I cannot scan the code").click()
    key = phone.locator(".icp-totp-key").inner_text()
    phone.get_by_label("6-digit code").fill("000000" if _code(key) != "000000" else "111111")
    phone.get_by_role("button", name="Finish setting up").click()
    expect(phone.get_by_text("That code is not right").first).to_be_visible()
    assert _problems(phone) == []  # the error summary and the field in error
    phone.wait_for_timeout(1100)  # django-otp's back-off after a wrong code
    phone.get_by_label("6-digit code").fill(_code(key))
    phone.get_by_role("button", name="Finish setting up").click()
    phone.wait_for_load_state("networkidle")
    assert "/accounts/two-factor" not in phone.url and "/accounts/login" not in phone.url

    phone.context.clear_cookies()
    _sign_in(phone, demo_site, clinician)
    assert "/accounts/two-factor/" in phone.url and "set-up" not in phone.url
    assert _problems(phone) == []
    # The code of the next 30-second step: the one just used cannot be used twice.
    phone.get_by_label("6-digit code").fill(_code(key, steps_ahead=1))
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_load_state("networkidle")
    assert "/accounts/" not in phone.url


def test_the_demo_accounts_sign_in_with_the_password_alone_and_the_login_page_says_so(
    demo_site: str, page: Any
) -> None:
    page.goto(f"{demo_site}/accounts/login/")
    assert page.get_by_text("log in with their password alone").is_visible()
    _sign_in(page, demo_site, "demo-gp")
    assert "/accounts/" not in page.url

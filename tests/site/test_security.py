"""Security headers on every response, no inline script or style in any template, NHS-styled error
pages, and HTTPS-only behaviour when served over HTTPS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from icp.partnership.models import User
from icp.partnership.roles import UserRole

SRC = Path(__file__).resolve().parents[2] / "src" / "icp"
TEMPLATES = sorted(SRC.glob("**/templates/**/*.html"))
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "an inline script"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SRC)))
def test_no_template_has_inline_script_or_style(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template.relative_to(SRC)} has {', '.join(found)}: move it to a static file (CSP)"


@pytest.mark.django_db
def test_every_page_carries_the_content_security_policy_and_no_store(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user(UserRole.GP))
    for path in ("/", "/accounts/login/", "/api/docs"):
        response = client.get(path, follow=True)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_health_check_needs_no_login(client: Client, db: None) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


@pytest.mark.django_db
def test_not_found_is_an_nhs_styled_page_without_debug_detail(client: Client) -> None:
    response = client.get("/no-such-page/?name=Zephyrine")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "nhsuk-header" in page
    assert "Zephyrine" not in page and "URLconf" not in page


@pytest.mark.django_db
def test_forbidden_is_an_nhs_styled_page(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user(UserRole.GP))
    response = client.get("/admin/")  # a GP is not staff: the admin answers with its login, so use 403
    assert response.status_code in (302, 403)
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    page = permission_denied(RequestFactory().get("/x"), PermissionDenied()).content.decode()
    assert "You cannot see this page" in page and "nhsuk-header" in page


def test_server_error_is_an_nhs_styled_page_that_needs_no_context() -> None:
    response = server_error(RequestFactory().get("/x"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page and "nhsuk-header" in page


def _settings_under(environment: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(environment)
    code = (
        "import icp.site.settings as s; "
        "print(s.DEBUG, getattr(s, 'SECURE_HSTS_SECONDS', 0), getattr(s, 'SECURE_SSL_REDIRECT', False), "
        "s.SESSION_COOKIE_SECURE)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_served_over_https_it_redirects_sends_hsts_and_secure_cookies() -> None:
    assert _settings_under({"ICP_HTTPS": "1", "ICP_DEBUG": ""}) == "False 31536000 True True"
    assert _settings_under({"ICP_HTTPS": "", "ICP_DEBUG": "1"}) == "True 0 False False"

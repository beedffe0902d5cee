"""End-to-end fixtures: the real demo (`icp demo`) in a fresh data folder, served by `icp serve`,
driven by Playwright in Debian's Chromium, all on loopback.

These tests run on the embedded defaults (SQLite, DuckDB) as a new user would; the PostgreSQL pass
of CI does not repeat them. Chromium comes from Debian's package (`make browser` installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("ICP_CHROMIUM", "/usr/bin/chromium"))
DEMO_PASSWORD = "synthetic-demo-2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("e2e"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment the demo site runs in (its own data folder): for `icp` commands beside it."""
    if os.environ.get("ICP_E2E_URL"):
        pytest.skip("ICP_E2E_URL names a demo served elsewhere, whose data folder these tests do not know")
    if os.environ.get("DATABASE_URL"):
        pytest.skip("end-to-end tests run on the embedded defaults; this pass is the PostgreSQL one")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package)")
    data = tmp_path_factory.mktemp("e2e-data")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    source = Path(__file__).resolve().parents[2] / "src"  # this checkout's code, not another install
    env.update(
        {
            "ICP_DATA_DIR": str(data),
            "ICP_DEBUG": "1",
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYTHONPATH": str(source),
            # A small synthetic population: the journeys need the pages, not 100,000 people.
            "ICP_DEMO_PEOPLE": "4000",
        }
    )
    return env


@pytest.fixture(scope="session")
def demo_site(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run `icp demo` into an empty data folder, then serve it; yield the base URL.

    `ICP_E2E_URL=http://127.0.0.1:PORT` points the tests at a demo already being served instead
    (to iterate on one journey without rebuilding the demo each run; the tests change its data).
    """
    if os.environ.get("ICP_E2E_URL"):
        yield os.environ["ICP_E2E_URL"].rstrip("/")
        return
    env: dict[str, str] = request.getfixturevalue("demo_env")
    setup = subprocess.run(
        [sys.executable, "-m", "icp", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "icp", "serve", "--address", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("icp serve did not start listening within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            # A loaded machine can take longer than a minute to stop gracefully: stop it outright.
            server.kill()
            server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page on a 390 px wide phone screen (the width of a common phone held upright)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def sideways_overflow(page: Any) -> int:
    """How many pixels the page scrolls sideways (0 when it fits the screen's width)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


# The innermost elements that reach past the screen's right edge, so a failure says what is too wide.
_TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
        && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
    .slice(0, 3)
    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ` +
        `(${Math.round(e.getBoundingClientRect().width)} px): ${e.textContent.trim().slice(0, 60)}`)"""


def too_wide(page: Any) -> list[str]:
    """What makes the page scroll sideways: up to three of the innermost elements past its edge."""
    return list(page.evaluate(_TOO_WIDE))


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")

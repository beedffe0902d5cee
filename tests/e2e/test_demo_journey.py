"""A new user's first journey through the demo, in a real browser."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


def test_the_icp_manager_sees_their_icp_practices_and_the_vacant_seat(demo_site: str, page: Any) -> None:
    log_in(page, demo_site, "demo-manager")
    assert page.url.endswith("/icp/NI-NOR-CA/")
    assert page.get_by_role("heading", level=1).inner_text() == "Causeway ICP"
    assert page.get_by_text("16 GP practices with 100,355 registered patients").is_visible()
    assert page.get_by_text("1 vacant seat", exact=True).is_visible()
    carer_row = page.get_by_role("row").filter(has_text="Carer")
    assert "Vacant" in carer_row.inner_text()
    assert page.get_by_role("table").first.is_visible()
    assert page.get_by_role("note").filter(has_text="synthetic").is_visible()
    if os.environ.get("ICP_UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / "icp-home.png"), full_page=False)


def test_the_page_is_styled_by_the_local_design_system_and_loads_nothing_remote(
    demo_site: str, page: Any
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, demo_site, "demo-gp")
    header_colour = page.eval_on_selector(".nhsuk-header", "el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(0, 94, 184)"  # NHS blue: the stylesheet loaded from our static files
    assert requested and all(url.startswith(demo_site) for url in requested)


def test_keyboard_users_can_skip_to_the_main_content(demo_site: str, page: Any) -> None:
    page.goto(f"{demo_site}/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#maincontent")


def test_a_wrong_password_is_explained(demo_site: str, page: Any) -> None:
    page.goto(f"{demo_site}/accounts/login/")
    page.get_by_label("Username").fill("demo-manager")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "There is a problem" in page.get_by_role("alert").inner_text()

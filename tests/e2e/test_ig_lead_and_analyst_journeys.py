"""The information-governance lead's and the analyst's everyday journeys, in a real browser: each
logs in, lands on their own home, does their day's task, and axe-core finds no accessibility
violation on any page they visit. Every role's menu is the same on every page it visits; every
role's home fits a 390 px phone; the API documentation renders from our own static files."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in, sideways_overflow

ICP = "NI-NOR-CA"


def menu_labels(page: Any) -> list[str]:
    return page.get_by_role("navigation", name="Menu").get_by_role("link").all_inner_texts()


def test_the_ig_lead_lands_on_their_home_reviews_a_break_glass_and_exports_the_access_log(
    demo_site: str, page: Any
) -> None:
    log_in(page, demo_site, "demo-iglead")
    assert page.url == f"{demo_site}/"
    assert page.get_by_role("heading", level=1).inner_text().endswith("Causeway ICP")
    menu = menu_labels(page)
    assert menu[:3] == ["Home", "Break glass", "Audit trail"]
    assert "Worklist" not in menu and "Indicators" not in menu
    assert page.get_by_text("1 break glass awaiting review").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Break glass to review").click()
    page.wait_for_url("**/sharing/break-glass/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Break-glass review")
    assert menu_labels(page) == menu
    assert_accessible(page)
    card = page.locator(".nhsuk-card").filter(has=page.get_by_role("button", name="Record review")).first
    card.get_by_label("Appropriate", exact=True).check()
    card.get_by_label("Note").fill("Ambulance crew, unconscious patient: appropriate.")
    card.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Nothing awaits review.")).to_be_visible()
    reviewed = page.get_by_role("row").filter(has_text="Ambulance crew, unconscious patient: appropriate.")
    assert "Appropriate (demo-iglead)" in reviewed.inner_text()
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit trail").click()
    page.wait_for_url("**/sharing/audit/")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = download.value
    assert exported.suggested_filename.startswith(f"audit-{ICP}-")
    with open(exported.path(), encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert len(lines) > 1 and "break_glass.review" in "\n".join(lines)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home").click()
    expect(page.get_by_text("0 break glasses awaiting review")).to_be_visible()


def test_the_analyst_lands_on_the_indicators_and_opens_one(demo_site: str, page: Any) -> None:
    log_in(page, demo_site, "demo-analyst")
    assert page.url.endswith(f"/evaluation/icp/{ICP}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Indicators")
    menu = menu_labels(page)
    assert "Indicators" in menu and "Risk population" in menu
    assert "Break glass" not in menu and "Worklist" not in menu
    assert_accessible(page)

    page.get_by_role("link", name="Compare practices").first.click()
    page.wait_for_url(f"**/evaluation/icp/{ICP}/practices/**")
    page.get_by_role("heading", level=1).wait_for()
    assert menu_labels(page) == menu
    assert page.locator("svg").first.is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Risk population").click()
    page.wait_for_url(f"**/care/icp/{ICP}/population/")
    assert menu_labels(page) == menu
    assert_accessible(page)


ROLES = [
    "demo-gp",
    "demo-pharmacist",
    "demo-voluntary",
    "demo-iglead",
    "demo-analyst",
    "demo-manager",
    "demo-member",
]


@pytest.mark.parametrize("username", ROLES)
def test_each_roles_home_fits_a_390_pixel_phone_and_its_whole_menu_is_reachable(
    demo_site: str, phone: Any, username: str
) -> None:
    log_in(phone, demo_site, username)
    assert sideways_overflow(phone) <= 0, f"{phone.url} scrolls sideways"
    assert_accessible(phone)
    menu = phone.get_by_role("navigation", name="Menu")
    more = menu.get_by_role("button", name="Browse More")
    if more.is_visible():
        more.click()
        assert more.get_attribute("aria-expanded") == "true"
    for link in menu.get_by_role("link").all():
        assert link.is_visible(), f"{link.inner_text()} is neither on the bar nor in the More menu"


def test_the_api_documentation_renders_from_our_own_files_under_the_content_security_policy(
    demo_site: str, page: Any
) -> None:
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    log_in(page, demo_site, "demo-analyst")
    page.goto(f"{demo_site}/api/docs")
    operations = page.locator(".opblock-summary-path")
    # Swagger UI draws the operations after fetching the whole OpenAPI document: give it a minute on
    # a loaded machine, and say what the page logged if it never does.
    try:
        operations.first.wait_for(timeout=60_000)
    except Exception as error:
        raise AssertionError(f"no operations drawn; console: {refused}; requests: {requested}") from error
    assert operations.count() > 20
    assert page.get_by_text("/api/areas", exact=True).first.is_visible()
    assert all(url.startswith(demo_site) for url in requested), [
        u for u in requested if not u.startswith(demo_site)
    ]
    assert not refused, f"the page logged errors (a refused script, a document it could not read): {refused}"

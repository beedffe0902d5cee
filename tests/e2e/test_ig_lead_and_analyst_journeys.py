"""The information-governance lead's and the analyst's everyday journeys, in a real browser: each
logs in, lands on their own home, does their day's task, and axe-core finds no accessibility
violation on any page they visit. Every role's menu is the same on every page it visits."""

from __future__ import annotations

from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in

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
    assert page.get_by_role("heading", level=1).inner_text().startswith("Break-glass review")
    assert menu_labels(page) == menu
    assert_accessible(page)
    card = page.locator(".nhsuk-card").filter(has=page.get_by_role("button", name="Record review")).first
    card.get_by_label("Appropriate", exact=True).check()
    card.get_by_label("Note").fill("Ambulance crew, unconscious patient: appropriate.")
    card.get_by_role("button", name="Record review").click()
    assert page.get_by_text("Nothing awaits review.").is_visible()
    reviewed = page.get_by_role("row").filter(has_text="Ambulance crew, unconscious patient: appropriate.")
    assert "Appropriate (demo-iglead)" in reviewed.inner_text()
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit trail").click()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = download.value
    assert exported.suggested_filename.startswith(f"audit-{ICP}-")
    with open(exported.path(), encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert len(lines) > 1 and "break_glass.review" in "\n".join(lines)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home").click()
    assert page.get_by_text("0 break glasses awaiting review").is_visible()


def test_the_analyst_lands_on_the_indicators_and_opens_one(demo_site: str, page: Any) -> None:
    log_in(page, demo_site, "demo-analyst")
    assert page.url.endswith(f"/evaluation/icp/{ICP}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Indicators")
    menu = menu_labels(page)
    assert "Indicators" in menu and "Risk population" in menu
    assert "Break glass" not in menu and "Worklist" not in menu
    assert_accessible(page)

    page.get_by_role("link", name="Compare practices").first.click()
    assert page.get_by_role("heading", level=1).is_visible()
    assert menu_labels(page) == menu
    assert page.locator("svg").first.is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Risk population").click()
    assert menu_labels(page) == menu
    assert_accessible(page)

"""A committee member's and a reviewer's journeys through governance, in a real browser."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_a_lay_member_finds_the_inquorate_meeting_and_opens_its_paper(demo_site: str, page: Any) -> None:
    log_in(page, demo_site, "demo-member")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Governance").click()
    assert page.get_by_role("heading", level=1).inner_text() == "How Causeway ICP is run"
    assert page.get_by_text("Meets at least 4 times a year").is_visible()
    page.get_by_role("link", name="Causeway ICP Partnership Committee").click()
    page.get_by_role("row").filter(has_text="Inquorate").get_by_role("link").click()
    expect(page.get_by_text("This meeting was inquorate")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Paper: Frailty pathway: progress report").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_a_reviewer_returns_a_case_for_changes(demo_site: str, page: Any) -> None:
    log_in(page, demo_site, "demo-reviewer")
    page.goto(f"{demo_site}/governance/bodies/NI-NOR/cases/")
    page.get_by_role("link", name="Rapid access respiratory clinic (synthetic)").click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Return for changes"))
    form.get_by_label("Comment").fill("Please add the costs of the second year.")
    form.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_text("the case is now returned for changes")).to_be_visible()
    assert page.get_by_text("Please add the costs of the second year.").is_visible()

"""The community pharmacist's day, in a real browser on the demo: they land on their own home, open
the people a care plan asks the pharmacy to review, open the person's care page from there and
record that the medication review has started; the list then says so. axe-core checks every page.

The review is left "in progress" (not done), so the person stays on the list for the other tests.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in

REVIEW = "Structured medication review: medicines that raise the risk of falls (synthetic)"


def test_the_pharmacist_opens_people_to_review_and_starts_a_medication_review(
    demo_site: str, page: Any
) -> None:
    log_in(page, demo_site, "demo-pharmacist")
    assert page.url == f"{demo_site}/"
    assert page.get_by_role("heading", level=1).inner_text().endswith("Your work today")
    assert_accessible(page)

    page.get_by_role("link", name="People to review").click()
    page.wait_for_url("**/care/people-to-review/")
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=REVIEW)
    expect(row).to_have_count(1)
    assert "By Practice" in row.inner_text()  # the plan's author, whom to ask about it

    row.get_by_role("link").first.click()
    page.wait_for_url("**/care/person/**")
    assert_accessible(page)
    activity = page.get_by_role("row").filter(has_text=REVIEW)
    activity.get_by_label("Status").select_option(label="In progress")
    activity.get_by_role("button", name="Update").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("row").filter(has_text=REVIEW).get_by_label("Status")).to_have_value(
        "in-progress"
    )

    page.goto(f"{demo_site}/care/people-to-review/")
    expect(page.get_by_role("row").filter(has_text=REVIEW)).to_contain_text("In progress")
    assert_accessible(page)

"""The lists each role uses most, on a 390 px phone: the worklist, the referral inbox and outbox, the
audit trail, the agreements register, the risk population and the caseloads. Each fits the screen's
width with no sideways scrolling, shows its rows as the design system's responsive table (each cell
with its heading beside it), and axe-core finds no accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in, sideways_overflow, too_wide

ICP = "NI-NOR-CA"

# (login, how to reach the page: a path, or the name of the link on the login's home that opens it)
LISTS = [
    ("demo-gp", "Case-finding worklist"),
    ("demo-gp", "Overdue reviews"),
    ("demo-gp", "/care/referrals/outbox/"),
    ("demo-voluntary", "/care/referrals/inbox/"),
    ("demo-iglead", "/sharing/audit/"),
    ("demo-iglead", "/sharing/agreements/"),
    ("demo-analyst", f"/care/icp/{ICP}/population/"),
    ("demo-analyst", "Caseloads"),
]


@pytest.mark.parametrize(("username", "where"), LISTS, ids=[f"{u} {w}" for u, w in LISTS])
def test_the_most_used_lists_fit_a_390_pixel_phone(
    demo_site: str, phone: Any, username: str, where: str
) -> None:
    log_in(phone, demo_site, username)
    if where.startswith("/"):
        phone.goto(f"{demo_site}{where}")
    else:
        # A link on the home page, or in the menu: on a phone, perhaps in the bar's "More" list.
        menu = phone.get_by_role("navigation", name="Menu")
        link = phone.get_by_role("main").get_by_role("link", name=where, exact=True)
        if not link.count():
            more = menu.get_by_role("button", name="Browse More")
            if more.is_visible():
                more.click()
            link = menu.get_by_role("link", name=where, exact=True)
        # Wait for the list's page itself: the home's own heading would otherwise pass for it.
        with phone.expect_navigation():
            link.click()
    phone.wait_for_load_state("load")
    phone.get_by_role("heading", level=1).wait_for()
    assert sideways_overflow(phone) <= 0, f"{phone.url} scrolls sideways: {too_wide(phone)}"
    responsive = phone.locator("table.nhsuk-table-responsive")
    if responsive.count():
        # On a phone each cell carries its column's heading (the header row is hidden).
        assert responsive.first.locator(".nhsuk-table-responsive__heading").first.is_visible()
    assert_accessible(phone)

"""The lists each role uses most, on a 390 px phone: the worklist, the referral inbox and outbox, the
audit trail, the agreements register and the risk population. Each fits the screen's width with no
sideways scrolling, shows its rows as the design system's responsive table (each cell with its
heading beside it), and axe-core finds no accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in, sideways_overflow

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
]


@pytest.mark.parametrize(("username", "where"), LISTS, ids=[f"{u} {w}" for u, w in LISTS])
def test_the_most_used_lists_fit_a_390_pixel_phone(
    demo_site: str, phone: Any, username: str, where: str
) -> None:
    log_in(phone, demo_site, username)
    if where.startswith("/"):
        phone.goto(f"{demo_site}{where}")
    else:
        phone.get_by_role("link", name=where).click()
    phone.get_by_role("heading", level=1).wait_for()
    assert sideways_overflow(phone) <= 0, f"{phone.url} scrolls sideways"
    responsive = phone.locator("table.nhsuk-table-responsive")
    if responsive.count():
        # On a phone each cell carries its column's heading (the header row is hidden).
        assert responsive.first.locator(".nhsuk-table-responsive__heading").first.is_visible()
    assert_accessible(phone)

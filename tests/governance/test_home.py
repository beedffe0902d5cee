"""The governance home pages."""

from __future__ import annotations

from icp.partnership.models import User
from tests.governance.clients import browser


def test_the_icp_home_page_links_to_governance(demo_member: User) -> None:
    page = browser(demo_member).get("/icp/NI-NOR-CA/").content.decode()
    assert "/governance/icp/NI-NOR-CA/" in page
    assert 'href="/governance/"' in page  # the header navigation

"""The governance models in the admin site."""

from __future__ import annotations

from icp.governance.models import BusinessCase, Meeting
from icp.partnership.models import User
from tests.governance.clients import browser


def test_the_admin_lists_governance_records(meeting: Meeting, draft_case: BusinessCase) -> None:
    admin = User.objects.create_superuser(username="root-admin", password="x-long-password-1")
    client = browser(admin)
    for model in ("meeting", "businesscase", "actionitem", "echonetwork", "project", "annualplan", "paper"):
        assert client.get(f"/admin/governance/{model}/").status_code == 200, model
    assert client.get(f"/admin/governance/businesscase/{draft_case.pk}/change/").status_code == 200
    assert client.get(f"/admin/governance/meeting/{meeting.pk}/change/").status_code == 200

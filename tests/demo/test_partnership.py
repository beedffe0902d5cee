"""The demo partnership: one login per role made through the audited action, and a second run adds nothing."""

from __future__ import annotations

import pytest

from icp.audit.models import AuditEvent
from icp.demo.partnership import DEMO_ICP, create_demo_partnership
from icp.partnership.models import Committee, User
from icp.partnership.roles import UserRole

pytestmark = pytest.mark.django_db
PASSWORD = "violet-harbour-lantern-42"


def test_one_login_per_role_each_created_by_the_action_and_audited() -> None:
    logins = create_demo_partnership(password=PASSWORD)
    assert {User.objects.get(username=login.username).role for login in logins} == set(UserRole.values)
    created = AuditEvent.objects.filter(action="user.create", outcome="success")
    assert sorted(created.values_list("detail__username", flat=True)) == sorted(
        login.username for login in logins
    )
    manager = User.objects.get(username="demo-manager")
    assert manager.check_password(PASSWORD) and manager.has_perm("partnership.change_membership")
    assert manager.home_area is not None and manager.home_area.code == DEMO_ICP


def test_a_second_run_finds_what_the_first_made() -> None:
    first = create_demo_partnership(password=PASSWORD)
    events = AuditEvent.objects.filter(action="user.create").count()
    assert create_demo_partnership(password="another-long-passphrase") == first
    assert AuditEvent.objects.filter(action="user.create").count() == events
    assert Committee.objects.filter(area__code=DEMO_ICP).count() == 1
    assert User.objects.get(username="demo-gp").check_password(PASSWORD)  # not reset

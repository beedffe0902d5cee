"""Logins and API tokens go through actions that check permission and leave an audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icp.audit.models import AuditEvent
from icp.partnership import accounts
from icp.partnership.models import ApiToken, Area, User
from icp.partnership.roles import UserRole

pytestmark = pytest.mark.django_db
PASSPHRASE = "a-sound-passphrase-26"


def test_the_command_line_creates_a_manager_who_can_edit_the_registry(icp_area: Area) -> None:
    user = accounts.create_user(
        username="jo", password=PASSPHRASE, role=UserRole.ICP_MANAGER, by=None, home_area=icp_area
    )
    assert user.check_password(PASSPHRASE) and user.is_staff and not user.is_superuser
    assert user.has_perm("partnership.change_membership")
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor_id is None and event.target_id == str(user.pk)
    assert event.detail == {
        "username": "jo",
        "role": "icp_manager",
        "home_area": icp_area.code,
        "organisation": None,
        "superuser": False,
        "can_log_in": True,
        "demo_account": False,
    }


def test_a_superuser_may_create_a_login_and_is_named_as_the_actor(make_user: Callable[..., User]) -> None:
    admin = make_user(is_superuser=True)
    accounts.create_user(username="gp1", password=PASSPHRASE, role=UserRole.GP, by=admin)
    assert AuditEvent.objects.get(action="user.create").actor_id == admin.pk


def test_anyone_else_is_refused_and_the_refusal_is_audited(manager: User) -> None:
    with pytest.raises(PermissionDenied):
        accounts.create_user(username="gp1", password=PASSPHRASE, role=UserRole.GP, by=manager)
    assert not User.objects.filter(username="gp1").exists()
    denied = AuditEvent.objects.get(action="user.create")
    assert denied.outcome == "denied" and denied.actor_id == manager.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"role": "wizard"}, "role"), ({"password": "password"}, "password"), ({}, "username")],
)
def test_bad_input_names_the_field_and_creates_nothing(
    changes: dict[str, str], field: str, make_user: Callable[..., User]
) -> None:
    if field == "username":
        changes = {"username": make_user().username}
    arguments = {"username": "new", "password": PASSPHRASE, "role": UserRole.GP} | changes
    with pytest.raises(ValidationError) as raised:
        accounts.create_user(by=None, **arguments)
    assert field in raised.value.message_dict
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_without_a_password_the_account_cannot_log_in() -> None:
    user = accounts.create_user(username="records-bot", password=None, role=UserRole.ANALYST, by=None)
    assert not user.has_usable_password()
    assert AuditEvent.objects.get(action="user.create").detail["can_log_in"] is False


def test_a_user_issues_their_own_token_and_only_its_hash_is_kept(make_user: Callable[..., User]) -> None:
    user = make_user()
    issued = accounts.issue_api_token(user=user, name="laptop", by=user)
    assert issued.token.key_hash == ApiToken.hash_key(issued.key) and issued.key not in issued.token.key_hash
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.actor_id == user.pk and event.detail == {
        "user": user.username,
        "name": "laptop",
        "expires": issued.token.expires.isoformat(timespec="seconds"),
    }


def test_nobody_issues_a_token_for_someone_else_but_a_superuser(
    make_user: Callable[..., User], manager: User
) -> None:
    user = make_user()
    with pytest.raises(PermissionDenied):
        accounts.issue_api_token(user=user, name="theirs", by=manager)
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.get(action="api_token.issue").outcome == "denied"
    accounts.issue_api_token(user=user, name="theirs", by=make_user(is_superuser=True))
    assert ApiToken.objects.count() == 1


def test_an_inactive_login_gets_no_token(make_user: Callable[..., User]) -> None:
    user = make_user(is_active=False)
    with pytest.raises(ValidationError):
        accounts.issue_api_token(user=user, name="x", by=None)
    assert not ApiToken.objects.exists()

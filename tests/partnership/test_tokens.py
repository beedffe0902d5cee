"""API tokens expire, can be revoked and listed; a token that no longer works answers 401, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.partnership.accounts import (
    authenticate_api_key,
    issue_api_token,
    list_api_tokens,
    revoke_api_token,
)
from icp.partnership.models import ApiToken, User
from icp.partnership.roles import UserRole


@pytest.fixture
def jo(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(UserRole.ANALYST)


def _api(client: Client, key: str) -> int:
    return client.get("/api/committees", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def _fhir(client: Client, key: str) -> int:
    return client.get("/fhir/Patient?name=Nobody", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_a_token_expires_after_the_default_lifetime_unless_told_otherwise(jo: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ICP_API_TOKEN_DAYS = 30
    issued = issue_api_token(user=jo, name="default", by=None)
    assert timedelta(days=29, hours=23) < issued.token.expires - timezone.now() <= timedelta(days=30)
    week = timezone.now() + timedelta(days=7)
    assert issue_api_token(user=jo, name="a week", by=None, expires=week).token.expires == week
    event = AuditEvent.objects.filter(action="api_token.issue").order_by("sequence").last()
    assert event is not None and event.detail["expires"].startswith(week.isoformat()[:16])


@pytest.mark.parametrize("days", [-1, 0, 400])
def test_an_expiry_in_the_past_or_beyond_a_year_is_refused_naming_the_field(jo: User, days: int) -> None:
    with pytest.raises(ValidationError) as raised:
        issue_api_token(user=jo, name="bad", by=None, expires=timezone.now() + timedelta(days=days))
    assert "expires" in raised.value.message_dict
    assert not ApiToken.objects.exists()


def test_an_expired_token_answers_401_on_both_apis_and_the_refusal_is_audited(
    client: Client, jo: User
) -> None:
    issued = issue_api_token(user=jo, name="soon", by=None)
    assert _api(client, issued.key) == 200 and _fhir(client, issued.key) != 401  # (an analyst: 403)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert _api(client, issued.key) == 401
    assert _fhir(client, issued.key) == 401
    refusals = AuditEvent.objects.filter(action="api_token.refused", outcome="denied")
    assert refusals.count() == 2
    assert {event.reason for event in refusals} == {"token expired"}
    assert all(
        event.actor_username == jo.username and issued.key not in str(event.detail) for event in refusals
    )


def test_a_revoked_token_answers_401_at_once_and_revoking_is_audited(client: Client, jo: User) -> None:
    issued = issue_api_token(user=jo, name="laptop", by=None)
    assert _api(client, issued.key) == 200
    revoke_api_token(token=issued.token, by=jo)
    assert _api(client, issued.key) == 401
    assert AuditEvent.objects.get(action="api_token.refused").reason == "token revoked"
    revoked = AuditEvent.objects.get(action="api_token.revoke")
    assert revoked.actor_username == jo.username and revoked.target_id == str(issued.token.pk)
    # Revoking again keeps the first time and still leaves a trace.
    first = ApiToken.objects.get().revoked
    revoke_api_token(token=ApiToken.objects.get(), by=None)
    assert ApiToken.objects.get().revoked == first
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 2


def test_a_token_of_a_deactivated_user_stops_working(client: Client, jo: User) -> None:
    issued = issue_api_token(user=jo, name="laptop", by=None)
    User.objects.filter(pk=jo.pk).update(is_active=False)
    assert authenticate_api_key(issued.key) is None
    assert AuditEvent.objects.get(action="api_token.refused").reason == "token user inactive"


def test_an_unknown_key_is_refused_without_filling_the_audit_trail(client: Client, jo: User) -> None:
    assert _api(client, "not-a-token") == 401
    assert not AuditEvent.objects.filter(action="api_token.refused").exists()


def test_only_the_user_or_a_superuser_may_revoke_or_list_a_token(jo: User, make_user) -> None:  # type: ignore[no-untyped-def]
    other = make_user(UserRole.GP)
    issued = issue_api_token(user=jo, name="laptop", by=None)
    with pytest.raises(PermissionDenied):
        revoke_api_token(token=issued.token, by=other)
    with pytest.raises(PermissionDenied):
        list_api_tokens(user=jo, by=other)
    assert ApiToken.objects.get().revoked is None
    assert (
        AuditEvent.objects.filter(action__in=["api_token.revoke", "api_token.list"], outcome="denied").count()
        == 2
    )


def test_only_hashes_are_stored(jo: User) -> None:
    issued = issue_api_token(user=jo, name="laptop", by=None)
    stored = ApiToken.objects.values().get()
    assert issued.key not in {str(value) for value in stored.values()}
    assert stored["key_hash"] == ApiToken.hash_key(issued.key)

"""Logins and API tokens: create a login; issue, list, revoke and check a token. One function per verb.

Each action takes keyword-only arguments and the acting user (`by`), checks permission, writes in
one transaction and records an audit event. `by=None` is the command line: whoever can run `icp` on
the server already holds the database and its settings, so the operator is the trust root there
(the audit event then names no actor). On the web only a superuser may make logins; a user may
issue tokens for their own login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.audit.models import Outcome
from icp.partnership.models import ApiToken, Area, Organisation, User, default_token_days
from icp.partnership.roles import UserRole

# What an ICP manager may edit in the admin (scoped there to their own ICP).
MANAGER_PERMISSIONS = ("organisation", "person", "committee", "membership", "chairelection")


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the plain key: shown once, never stored


def grant_manager_permissions(user: User) -> None:
    """Let an ICP manager edit their own ICP's registry records in the admin (scoped there by ICP)."""
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="partnership", content_type__model__in=MANAGER_PERMISSIONS
        )
    )


def create_user(
    *,
    username: str,
    password: str | None,
    role: str,
    by: User | None,
    home_area: Area | None = None,
    organisation: Organisation | None = None,
    superuser: bool = False,
    first_name: str = "",
    last_name: str = "",
    demo_account: bool = False,
) -> User:
    """Create a login with a role, a home ICP and an organisation.

    The password must pass the site's password validators (None makes an account that cannot log
    in); an ICP manager is made staff with the registry permissions the admin needs. Raises
    ValidationError naming the field at fault. `demo_account` marks the synthetic demo's own logins,
    which sign in without a second factor only while the site runs as the demo (ICP_DEBUG=1).
    """
    if by is not None and not by.is_superuser:
        raise deny(
            action=EventType.USER_CREATE,
            by=by,
            target_type="partnership.user",
            target_id=username,
            reason="only a superuser can create logins",
        )
    if role not in UserRole.values:
        raise ValidationError(
            {"role": f"{role!r} is not a role; choose one of: {', '.join(UserRole.values)}"}
        )
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"a user called {username!r} already exists"})
    user = User(
        username=username,
        role=role,
        home_area=home_area,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        is_superuser=superuser,
        is_staff=superuser or role == UserRole.ICP_MANAGER,
        demo_account=demo_account,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        if role == UserRole.ICP_MANAGER:
            grant_manager_permissions(user)
        record(
            action=EventType.USER_CREATE,
            actor=by,
            target=user,
            detail={
                "username": username,
                "role": role,
                "home_area": home_area.code if home_area else None,
                "organisation": organisation.code if organisation else None,
                "superuser": superuser,
                "can_log_in": password is not None,
                "demo_account": demo_account,
            },
        )
    return user


# The longest a token may live: a forgotten token should not open the API for years.
MAX_TOKEN_DAYS = 366


def issue_api_token(
    *, user: User, name: str, by: User | None, expires: datetime | None = None
) -> IssuedToken:
    """Issue a bearer token for `user`'s JSON and FHIR API calls. The key is returned once.

    `expires` defaults to the site's token lifetime (`ICP_API_TOKEN_DAYS`); it must be in the future
    and at most a year away (ValidationError naming `expires` otherwise).
    """
    if by is not None and not (by.is_superuser or by.pk == user.pk):
        raise deny(
            action=EventType.API_TOKEN_ISSUE,
            by=by,
            target_type="partnership.user",
            target_id=str(user.pk),
            reason="only the user or a superuser can issue a token for a login",
        )
    if not user.is_active:
        raise ValidationError({"user": f"{user.username} is not active; no token issued"})
    now = timezone.now()
    expires = expires or now + timedelta(days=default_token_days())
    if expires <= now:
        raise ValidationError({"expires": "must be in the future"})
    if expires > now + timedelta(days=MAX_TOKEN_DAYS):
        raise ValidationError({"expires": f"must be at most {MAX_TOKEN_DAYS} days away"})
    with transaction.atomic():
        token, key = ApiToken.issue(user, name, expires=expires)
        record(
            action=EventType.API_TOKEN_ISSUE,
            actor=by,
            target=token,
            detail={"user": user.username, "name": name, "expires": expires.isoformat(timespec="seconds")},
        )
    return IssuedToken(token=token, key=key)


def revoke_api_token(*, token: ApiToken, by: User | None) -> ApiToken:
    """Revoke a token at once: from now on it authenticates no one. Revoking twice changes nothing
    (the first time is kept) but is recorded, so the audit trail shows every attempt."""
    if by is not None and not (by.is_superuser or by.pk == token.user_id):
        raise deny(
            action=EventType.API_TOKEN_REVOKE,
            by=by,
            target=token,
            reason="only the token's user or a superuser can revoke it",
        )
    with transaction.atomic():
        already = token.revoked is not None
        if not already:
            token.revoked = timezone.now()
            token.save(update_fields=["revoked"])
        record(
            action=EventType.API_TOKEN_REVOKE,
            actor=by,
            target=token,
            detail={"user": token.user.username, "name": token.name, "already_revoked": already},
        )
    return token


def list_api_tokens(*, user: User, by: User | None) -> list[ApiToken]:
    """A login's tokens, newest first, with their state (never their keys: only hashes are kept)."""
    if by is not None and not (by.is_superuser or by.pk == user.pk):
        raise deny(
            action=EventType.API_TOKEN_LIST,
            by=by,
            target_type="partnership.user",
            target_id=str(user.pk),
            reason="only the user or a superuser can list a login's tokens",
        )
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created", "-pk"))
    record(
        action=EventType.API_TOKEN_LIST,
        actor=by,
        target_type="partnership.user",
        target_id=str(user.pk),
        detail={"user": user.username, "tokens": len(tokens)},
    )
    return tokens


def authenticate_api_key(key: str) -> User | None:
    """The active user a presented bearer key belongs to, or None. The one token lookup: the JSON
    API and the FHIR API both authenticate through it.

    An expired or revoked token, or one whose user is no longer active, is refused and the refusal
    recorded (the event names the token, never the key); an unknown key is refused without an event,
    so noise cannot flood the audit trail. A token that works has its last use noted.
    """
    token = ApiToken.find(key)
    if token is None:
        return None
    state = token.status if token.user.is_active else "user inactive"
    if state != "active":
        record(
            action=EventType.API_TOKEN_REFUSED,
            actor=token.user,
            target=token,
            outcome=Outcome.DENIED,
            reason=f"token {state}",
        )
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user

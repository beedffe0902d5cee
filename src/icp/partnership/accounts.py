"""Logins and API tokens: create a login, issue a token. One function per verb.

Each action takes keyword-only arguments and the acting user (`by`), checks permission, writes in
one transaction and records an audit event. `by=None` is the command line: whoever can run `icp` on
the server already holds the database and its settings, so the operator is the trust root there
(the audit event then names no actor). On the web only a superuser may make logins; a user may
issue tokens for their own login.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.partnership.models import ApiToken, Area, Organisation, User
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
) -> User:
    """Create a login with a role, a home ICP and an organisation.

    The password must pass the site's password validators (None makes an account that cannot log
    in); an ICP manager is made staff with the registry permissions the admin needs. Raises
    ValidationError naming the field at fault.
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
            },
        )
    return user


def issue_api_token(*, user: User, name: str, by: User | None) -> IssuedToken:
    """Issue a bearer token for `user`'s JSON and FHIR API calls. The key is returned once."""
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
    with transaction.atomic():
        token, key = ApiToken.issue(user, name)
        record(
            action=EventType.API_TOKEN_ISSUE,
            actor=by,
            target=token,
            detail={"user": user.username, "name": name},
        )
    return IssuedToken(token=token, key=key)

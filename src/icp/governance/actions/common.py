"""Helpers shared by the governance actions: refusing with an audited reason."""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied

from icp.audit.log import record


def deny(*, action: str, by: Any, target: Any, reason: str, message: str) -> NoReturn:
    """Record the refusal in the audit trail, then raise PermissionDenied with a clear message."""
    record(action=action, actor=by, target=target, outcome="denied", reason=reason)
    raise PermissionDenied(message)

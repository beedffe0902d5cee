"""Pages of the sharing app: the shared care record, agreements, audit and break-glass review."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from icp.partnership.models import User


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views here are behind login_required"
    return user


def forbidden(request: HttpRequest, message: str, **context: Any) -> HttpResponse:
    """A 403 page that says why, in words that name no patient detail."""
    return render(request, "sharing/forbidden.html", {"message": message, **context}, status=403)

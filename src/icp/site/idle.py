"""Sessions end after a period of inactivity, and after a fixed time however busy they are.

A screen left signed in on a ward or in a shared office is a record left open. So a session that
has seen no request for `ICP_SESSION_IDLE_MINUTES` (default 30) is ended at its next request: the
user is logged out, the event is audited and they are sent to the login page, which says why. The
session cookie's age (`SESSION_COOKIE_AGE`, 8 hours) bounds a session from its sign-in, however
active, because keeping the last-seen time does not extend it (the sign-in time is kept too).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

from icp.audit.events import EventType
from icp.audit.log import record

LAST_SEEN = "icp_last_seen"
SIGNED_IN = "icp_signed_in"
# Noting the time on every request would write the session on every request; a minute's
# precision is plenty for a timeout counted in tens of minutes.
_RESOLUTION_SECONDS = 60


def idle_limit_seconds() -> int:
    return int(getattr(settings, "ICP_SESSION_IDLE_MINUTES", 30)) * 60


class IdleSessionMiddleware:
    """After AuthenticationMiddleware: end an idle or over-long session before the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            last_seen = int(session.get(LAST_SEEN, now))
            signed_in = int(session.get(SIGNED_IN, now))
            idle = now - last_seen
            if idle > idle_limit_seconds() or now - signed_in > settings.SESSION_COOKIE_AGE:
                record(
                    action=EventType.SESSION_IDLE_END,
                    actor=user,
                    detail={"idle_minutes": idle // 60, "session_minutes": (now - signed_in) // 60},
                )
                logout(request)
                if request.path.startswith(("/api/", "/fhir/")):
                    return self.get_response(request)  # now anonymous: the API answers 401
                messages.info(
                    request, "You were logged out because the session was left unused. Log in again."
                )
                return redirect_to_login(request.get_full_path())
            if SIGNED_IN not in session:
                session[SIGNED_IN] = now
            if now - last_seen >= _RESOLUTION_SECONDS or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)

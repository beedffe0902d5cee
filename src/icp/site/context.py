"""Template context shared by every page: the version, the demo notice and the header menu."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

import icp
from icp.partnership.models import User
from icp.site.menu import menu_for
from icp.site.two_factor import pending


def site_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # A user who still owes a second factor sees no menu: nothing behind it would open.
    signed_in = isinstance(user, User) and user.is_authenticated and not pending(request)
    # The demo (ICP_DEBUG=1) runs on synthetic data only: every page says so.
    return {
        "icp_version": icp.__version__,
        "icp_demo": settings.DEBUG,
        "menu": menu_for(user) if signed_in and isinstance(user, User) else [],
    }

"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

import icp


def site_context(request: HttpRequest) -> dict[str, Any]:
    # The demo (ICP_DEBUG=1) runs on synthetic data only: every page says so.
    return {"icp_version": icp.__version__, "icp_demo": settings.DEBUG}

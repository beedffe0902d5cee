"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import icp


def site_context(request: HttpRequest) -> dict[str, Any]:
    return {"icp_version": icp.__version__}

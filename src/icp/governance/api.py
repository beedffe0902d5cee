"""JSON API of the governance app (mounted under /api/governance/), one router per subject:
meetings and their actions, business cases with their lifecycle transitions as POST actions, and
ECHO networks with their totals. Each subject's endpoints live beside its models and actions.
"""

from __future__ import annotations

from ninja import Router

from icp.governance.cases.api import router as cases_router
from icp.governance.echo.api import router as echo_router
from icp.governance.meetings.api import router as meetings_router

router = Router(tags=["governance"])
router.add_router("", meetings_router)
router.add_router("", cases_router)
router.add_router("", echo_router)

"""JSON API endpoints of the governance app (mounted under /api/governance/)."""

from ninja import Router

router = Router(tags=["governance"])

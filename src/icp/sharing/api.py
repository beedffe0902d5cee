"""JSON API endpoints of the sharing app (mounted under /api/sharing/)."""

from ninja import Router

router = Router(tags=["sharing"])

"""JSON API endpoints of the care app (mounted under /api/care/)."""

from ninja import Router

router = Router(tags=["care"])

"""JSON API endpoints of the care app (mounted under /api/care/)."""

from ninja import Router

from icp.care.referrals.api import router as referrals_router

router = Router(tags=["care"])
router.add_router("/", referrals_router)

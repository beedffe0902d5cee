"""JSON API endpoints of the care app (mounted under /api/care/): referrals and the services
directory, a person's pathways, care plans and care team, MDTs, emergency-response lists and deaths."""

from ninja import Router

from icp.care.death_api import router as death_router
from icp.care.emergency.api import router as emergency_router
from icp.care.mdt.api import router as mdt_router
from icp.care.plans.api import router as plans_router
from icp.care.referrals.api import router as referrals_router

router = Router(tags=["care"])
router.add_router("/", referrals_router)
router.add_router("/", plans_router)
router.add_router("/", mdt_router)
router.add_router("/", emergency_router)
router.add_router("/", death_router)

"""The emergency-list tests reuse the pathway tests' world (risk results per person)."""

from tests.care.pathways.conftest import risk_for
from tests.care.referrals.conftest import other_service
from tests.sharing.conftest import shared_world, world

__all__ = ["other_service", "risk_for", "shared_world", "world"]

"""The care plan tests reuse the pathway tests' world."""

from tests.care.pathways.conftest import risk_for
from tests.sharing.conftest import shared_world, world

__all__ = ["risk_for", "shared_world", "world"]

"""The FHIR tests share the sharing tests' world (users, patients, agreements, a small warehouse)."""

from tests.sharing.conftest import shared_world, warehouse, world

__all__ = ["shared_world", "warehouse", "world"]

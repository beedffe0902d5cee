"""The sharing tests' world (partners, users, patients, agreements) reused for the risk pages."""

from tests.sharing.conftest import shared_world, world  # noqa: F401

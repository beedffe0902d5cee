"""The sharing tests' world (partners, users, patients, agreements) reused for the patients tests."""

from tests.sharing.conftest import shared_world, world  # noqa: F401

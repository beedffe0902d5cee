"""The governance demo builds on the demo partnership: reuse governance's fixtures for it."""

from tests.governance.conftest import committee, demo, demo_manager, demo_member, demo_reviewer

__all__ = ["committee", "demo", "demo_manager", "demo_member", "demo_reviewer"]

"""The JSON API against its own OpenAPI document, by schemathesis: for every operation, generated
requests (valid and invalid) sent to the real application over the real database, with a real API
token, must never end in a 500, must answer only with documented status codes, and each response must
match its documented schema. Bounded and seeded so it stays a test (a few examples an operation,
derandomised): a failure reproduces on the next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from icp.demo.partnership import create_demo_partnership
from icp.partnership.models import ApiToken, User
from icp.site.api import api

EXAMPLES = 6


@pytest.fixture
def token(db: None) -> str:
    """A real API token of the demo ICP's manager, with the demo partnership's committees behind it."""
    create_demo_partnership(password="a-long-demo-password")
    manager = User.objects.filter(role="icp_manager", home_area__code="NI-NOR-CA").order_by("pk").first()
    assert manager is not None
    return ApiToken.issue(manager, "schemathesis")[1]


@pytest.fixture(autouse=True)
def connection_kept_across_requests() -> Iterator[None]:
    """The test's transaction holds the database connection; Django's handler closes "old"
    connections at each request's start and end, which on PostgreSQL closes the test's own. Django's
    test client disconnects the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The document the API serves at /api/openapi.json, and the application as gunicorn runs it (Django's
# WSGI handler), called in-process: every request passes the real middleware, views and database.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = WSGIHandler()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_keeps_to_its_documented_responses(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Left out: "a schema-valid request was refused". The schema says a field's type; the actions
        # also hold business rules (a title may not be empty, a committee must exist, a date must be
        # in the future) and refuse with a 422 naming the field, which is documented on every operation.
        excluded_checks=[positive_data_acceptance],
    )

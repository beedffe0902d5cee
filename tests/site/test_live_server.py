"""A transactional test (a real HTTP server) must not take the reference structure from later tests."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from icp.partnership.models import Area


def test_the_live_server_answers_on_loopback(live_server: Any) -> None:
    assert live_server.url.startswith("http://localhost") or live_server.url.startswith("http://127.0.0.1")
    with urllib.request.urlopen(f"{live_server.url}/accounts/login/") as response:  # noqa: S310 (loopback)
        assert response.status == 200
    assert Area.objects.filter(level="icp").count() > 0


@pytest.mark.django_db
def test_the_structure_is_still_there_after_a_transactional_test() -> None:
    assert Area.objects.filter(code="NI-NOR-CA").exists()

"""Dates the API takes are written out as YYYY-MM-DD: a number is not a date (schemathesis found
`?start=0` read as 1 January 1970 and answered 200)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from pydantic import TypeAdapter, ValidationError

from icp.partnership.dates import IsoDate
from icp.partnership.models import ApiToken, User
from icp.partnership.roles import UserRole

ADAPTER: TypeAdapter[date] = TypeAdapter(IsoDate)


def test_a_date_written_out_is_read_and_anything_else_is_refused_saying_what_was_expected() -> None:
    assert ADAPTER.validate_python("2026-04-01") == date(2026, 4, 1)
    assert ADAPTER.validate_python(date(2026, 4, 1)) == date(2026, 4, 1)
    for value in ("0", 0, "1700000000", "2026-4-1", "2026-02-30", ""):
        with pytest.raises(ValidationError, match=r"YYYY-MM-DD|date"):
            ADAPTER.validate_python(value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/governance/echo/networks?start=0",
        "/api/governance/echo/networks?end=1700000000",
        "/api/sharing/patients?name=Smith&birth_date=0",
    ],
)
def test_the_api_answers_a_number_for_a_date_with_422(path: str, client: Client, make_user: object) -> None:
    user = User.objects.create_user(username="analyst-dates", password="x" * 12, role=UserRole.ICP_MANAGER)
    key = ApiToken.issue(user, "dates")[1]
    response = client.get(path, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 422, response.content
    assert b"YYYY-MM-DD" in response.content

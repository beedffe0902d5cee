"""Published tables for the demo ICP, written where the evaluation pages read them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from icp.partnership.models import Area, Organisation
from icp.partnership.roles import OrganisationType
from tests.evaluation.tables import published_tables


@pytest.fixture
def practice_codes(icp_area: Area) -> list[str]:
    practices = Organisation.objects.filter(icp=icp_area, type=OrganisationType.GP_PRACTICE).order_by("code")
    return [p.code for p in practices[:6]]


@pytest.fixture
def published(tmp_path: Path, icp_area: Area, practice_codes: list[str]) -> Path:
    folder = published_tables(tmp_path / "indicators", icp_area.code, practice_codes)
    with override_settings(ICP_INDICATORS_DIR=str(folder)):
        yield folder

"""Published indicator tables (for report jobs) and a folder of the jobs' own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from icp.partnership.models import Area, Organisation
from icp.partnership.roles import OrganisationType
from tests.evaluation.tables import published_tables


@pytest.fixture
def published(tmp_path: Path, icp_area: Area) -> Iterator[Path]:
    practices = Organisation.objects.filter(icp=icp_area, type=OrganisationType.GP_PRACTICE).order_by("code")
    folder = published_tables(tmp_path / "indicators", icp_area.code, [p.code for p in practices[:6]])
    with override_settings(ICP_INDICATORS_DIR=str(folder)):
        yield folder

"""The ICP home page shows the ICP's population by practice, age band and deprivation quintile,
labelled synthetic, with counts under 8 suppressed and others rounded to the nearest 5
(`icp.measure.disclosure`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from icp.care.registered_population import population_summary
from icp.measure.disclosure import SUPPRESSED_TEXT as SUPPRESSED
from icp.partnership.models import Area, User
from icp.patients.models import PatientIndex
from icp.patients.sync import sync_patient_index
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse

pytestmark = pytest.mark.django_db


def test_the_summary_counts_the_living_by_age_band_and_quintile(icp_area: Area) -> None:
    born = [date(1940, 6, 1)] * 9 + [date(2000, 6, 1)] * 3 + [date(1990, 1, 1)]
    for index, birth in enumerate(born):
        PatientIndex.objects.create(
            patient_id=f"t{index}",
            icp=icp_area,
            birth_date=birth,
            death_date=date(2024, 1, 1) if index == 12 else None,
            deprivation_quintile=1 if index < 10 else 5,
            synthetic=True,
        )
    summary = population_summary(icp_area, as_of=date(2026, 3, 31))
    assert summary is not None and summary.all_synthetic
    assert summary.total == "10"  # 12: the person who died is not counted; rounded to the nearest 5
    ages = {row.label: row.count for row in summary.by_age}
    assert ages["85+"] == "10" and ages["18-44"] == SUPPRESSED and ages["0-17"] == "0"
    quintiles = {row.label: row.count for row in summary.by_quintile}
    assert quintiles["1 (most deprived)"] == "10" and quintiles["5 (least deprived)"] == SUPPRESSED


def test_an_icp_with_no_patients_has_no_population_section(icp_area: Area) -> None:
    assert population_summary(icp_area) is None


def test_the_icp_home_page_shows_the_synthetic_population(
    tmp_path: Path, icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    synthesise(warehouse, area="NI-NOR-CA", seed=3, people=600)
    sync_patient_index(areas=["NI-NOR-CA"], warehouse=warehouse)
    page = logged_in(manager).get(f"/icp/{icp_area.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="population"' in html and "Synthetic" in html
    assert "By age band (synthetic)" in html
    assert "By deprivation quintile (NIMDM 2017) (synthetic)" in html
    assert "Population by practice (synthetic)" in html
    assert "Counts from 1 to 7 are shown as &lt;8 and other counts are rounded to the nearest 5." in html

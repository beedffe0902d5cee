"""The demo's second sources: a trust, a council and a pharmacy of the demo partnership send records
of some of the demo ICP's people, and linkage joins them into persons, once."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from icp.demo.linkage import link_demo_sources, second_sources_label
from icp.demo.partnership import DEMO_ICP
from icp.demo.population import ensure_demo_population
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ICP_DEMO_PEOPLE", "1500")
    return tmp_path / "data"


def test_other_sources_records_are_linked_to_the_practices_once(data_dir: Path, demo: None) -> None:
    ensure_demo_population(console=Console(file=io.StringIO()), icp=DEMO_ICP)

    said = link_demo_sources(DEMO_ICP)

    records = PatientIndex.objects.filter(icp__code=DEMO_ICP)
    others = records.filter(practice__isnull=True)
    assert others.exists() and records.count() > 1500
    assert {"(synthetic)" in source for source in others.values_list("source", flat=True)} == {True}
    assert (
        len({source for source in others.values_list("source", flat=True)}) == 3
    )  # trust, council, pharmacy
    persons = set(records.values_list("person_id", flat=True))
    assert len(persons) < records.count()  # records brought together into persons
    joined = others.exclude(person_id="").filter(
        person_id__in=records.filter(practice__isnull=False).values("patient_id")
    )
    assert joined.count() > others.count() // 2  # most copies joined their GP record
    assert f"{len(persons):,} persons" in said

    warehouse = Warehouse(data_dir / "warehouse")
    [batch] = warehouse.find_batches(source=second_sources_label(DEMO_ICP))
    assert "already linked" in link_demo_sources(DEMO_ICP)
    assert warehouse.find_batches(source=second_sources_label(DEMO_ICP)) == [batch]

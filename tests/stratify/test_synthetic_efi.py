"""On the synthetic population, eFI categories among people aged 65+ come out near Clegg 2016.

Clegg et al. (Age Ageing 2016) report, in their internal validation cohort aged 65-95: fit about
half, mild about a third, moderate about an eighth, severe a few percent. This scores a
synthesised ICP with the real code lists and checks each share is within 10 percentage points.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.compute as pc

from icp.records.engine import open_tables
from icp.records.synth.population import EXTRACT_DATE
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse
from icp.stratify.execute import to_arrow
from icp.stratify.scores import rule_based_scores

PUBLISHED = {"fit": 0.50, "mild": 0.35, "moderate": 0.12, "severe": 0.03}


def test_efi_categories_among_65_plus_are_near_the_published_distribution(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    synthesise(warehouse, area="NI-NOR-CA", seed=7, people=20_000)
    index_date: dt.date = EXTRACT_DATE
    scores = to_arrow(rule_based_scores(open_tables(warehouse), index_date))
    older = scores.filter(pc.greater_equal(scores.column("age"), 65))
    assert older.num_rows > 2000
    counts = {c: 0 for c in PUBLISHED}
    for row in older.group_by("efi_category").aggregate([("patient_id", "count")]).to_pylist():
        counts[row["efi_category"]] = row["patient_id_count"]
    shares = {c: counts[c] / older.num_rows for c in PUBLISHED}
    for category, published in PUBLISHED.items():
        assert abs(shares[category] - published) <= 0.10, shares

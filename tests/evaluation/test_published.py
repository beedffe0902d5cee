"""The pages read the published tables: one ICP's rows, re-read when the file changes."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from icp.evaluation.published import catalogue, table

pytestmark = pytest.mark.django_db


def test_only_the_icps_rows_and_nothing_when_unpublished(tmp_path: Path) -> None:
    pq.write_table(
        pa.table({"icp": ["A", "B", "A"], "numerator": [10, 15, 20]}), tmp_path / "month_icp.parquet"
    )
    assert table("month_icp", "A", tmp_path)["numerator"].tolist() == [10, 20]
    assert table("month_practice", "A", tmp_path).empty
    with pytest.raises(KeyError):
        table("patient", "A", tmp_path)


def test_a_republished_table_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "month_icp.parquet"
    pq.write_table(pa.table({"icp": ["A"], "numerator": [10]}), path)
    assert table("month_icp", "A", tmp_path)["numerator"].tolist() == [10]
    pq.write_table(pa.table({"icp": ["A"], "numerator": [25]}), path)
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert table("month_icp", "A", tmp_path)["numerator"].tolist() == [25]


def test_the_catalogue_knows_each_indicator_and_which_funnel_fits() -> None:
    known = catalogue()
    assert known["emergency_admissions_65"].improvement == "down"
    assert known["emergency_admissions_65"].funnel_model == "poisson"
    assert known["frail_with_care_plan"].funnel_model == "binomial"
    assert known["referral_days_to_accept"].funnel_model is None

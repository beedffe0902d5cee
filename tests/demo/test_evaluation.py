"""The demo's evaluation step: the synthetic history measured once, where the evaluation pages read
it; the second run reuses it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.test import Client

from icp.demo.evaluation import publish_demo_indicators
from icp.partnership.models import User
from icp.records.synth.run import synthesise
from icp.records.warehouse import Warehouse

pytestmark = pytest.mark.django_db


def test_the_history_is_published_once_and_charted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    manager: User,
    logged_in: Callable[[User], Client],
) -> None:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    synthesise(Warehouse(), area="NI-NOR-CA", seed=5, people=1500)
    first = publish_demo_indicators("NI-NOR-CA")
    assert "indicators published for NI-NOR-CA" in first
    months = pq.read_table(tmp_path / "indicators" / "month_icp.parquet").to_pandas()
    assert months["period"].nunique() == 48 and months["synthetic"].all()
    assert "already published" in publish_demo_indicators("NI-NOR-CA")
    page = logged_in(manager).get("/evaluation/icp/NI-NOR-CA/")
    # A chart for every indicator with two or more months that disclosure control lets out (which
    # rare indicators have them in 1,500 people is chance: a month with 1 to 7 events is hidden).
    shown = months[~months["suppressed"].astype(bool) & months["rate"].notna()]
    chartable = int((shown.groupby("indicator").size() >= 2).sum())
    assert chartable >= 6
    assert page.status_code == 200 and page.content.decode().count('class="icp-spc-chart"') == chartable

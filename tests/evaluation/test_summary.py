"""What the pages show, built from published tables: SPC over published months (suppressed months
left out and counted), quarters, funnels that leave out practices with a suppressed month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from icp.evaluation import summary
from icp.partnership.models import Area

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)), ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31))],
)
def test_quarters_are_calendar_quarters(label: str, first: date, last: date) -> None:
    assert summary.quarter_bounds(label) == (first, last)


def test_a_fifth_quarter_is_refused() -> None:
    with pytest.raises(ValueError, match="not a quarter"):
        summary.quarter_bounds("2026-Q5")


def test_the_latest_quarter_needs_all_three_months(published: Path, icp_area: Area) -> None:
    assert summary.latest_quarter(icp_area.code, folder=published) == "2026-Q1"
    months = pq.read_table(published / "month_icp.parquet").to_pandas()
    pq.write_table(
        pa.Table.from_pandas(months[months["period"] < "2026-03-01"], preserve_index=False),
        published / "month_icp.parquet",
    )
    assert summary.latest_quarter(icp_area.code, folder=published) == "2025-Q4"


def test_a_suppressed_month_is_left_out_of_the_chart_and_counted(published: Path, icp_area: Area) -> None:
    months = pq.read_table(published / "month_icp.parquet").to_pandas()
    hidden = (months["indicator"] == "frail_with_care_plan") & (months["period"] == "2024-01-01")
    months.loc[hidden, ["numerator", "rate", "ci_low", "ci_high"]] = None
    months.loc[hidden, "suppressed"] = True
    pq.write_table(pa.Table.from_pandas(months, preserve_index=False), published / "month_icp.parquet")
    charts, synthetic = summary.indicator_charts(icp_area.code, folder=published)
    frail = next(c for c in charts if c.info.id == "frail_with_care_plan")
    assert (frail.charted, frail.suppressed_months) == (35, 1)
    assert synthetic


def test_the_latest_month_shows_its_rate_or_says_why_it_has_none(published: Path, icp_area: Area) -> None:
    charts, _ = summary.indicator_charts(icp_area.code, folder=published)
    admissions = next(c for c in charts if c.info.id == "emergency_admissions_65")
    assert admissions.latest_period == "March 2026"
    assert admissions.latest_rate[0].isdigit() and " to " in admissions.latest_interval
    months = pq.read_table(published / "month_icp.parquet").to_pandas()
    latest = months["period"] == "2026-03-01"
    hidden = latest & (months["indicator"] == "frail_with_care_plan")
    months.loc[hidden, ["numerator", "rate", "ci_low", "ci_high"]] = None
    months.loc[hidden, "suppressed"] = True
    empty = latest & (months["indicator"] == "emergency_admissions_65")
    months.loc[empty, ["numerator", "denominator", "rate", "ci_low", "ci_high"]] = [0, 0, None, None, None]
    pq.write_table(pa.Table.from_pandas(months, preserve_index=False), published / "month_icp.parquet")
    charts, _ = summary.indicator_charts(icp_area.code, folder=published)
    frail = next(c for c in charts if c.info.id == "frail_with_care_plan")
    admissions = next(c for c in charts if c.info.id == "emergency_admissions_65")
    assert frail.latest_rate == "not shown: a count from 1 to 7 is suppressed (disclosure control)"
    assert admissions.latest_rate == "no rate: nobody in the denominator that month"
    assert frail.latest_interval == admissions.latest_interval == ""


def test_a_lower_limit_below_zero_is_drawn_at_zero_and_said_so(published: Path, icp_area: Area) -> None:
    months = pq.read_table(published / "month_icp.parquet").to_pandas()
    # A rate that swings between near nothing and a lot: its lower process limit is below zero.
    chosen = months["indicator"] == "frail_with_care_plan"
    months.loc[chosen, "rate"] = [1.0 if n % 2 else 60.0 for n in range(int(chosen.sum()))]
    pq.write_table(pa.Table.from_pandas(months, preserve_index=False), published / "month_icp.parquet")
    charts, _ = summary.indicator_charts(icp_area.code, folder=published)
    frail = next(c for c in charts if c.info.id == "frail_with_care_plan")
    assert frail.chart is not None and float(frail.chart.points["lower"].iloc[0]) < 0
    assert frail.floored == len(frail.rows) and "drawn at 0" in frail.floor_words
    assert frail.rows[0].lower.startswith("-")  # the table keeps the limit as calculated
    assert frail.rows[0].date == "Apr 2023"
    admissions = next(c for c in charts if c.info.id == "emergency_admissions_65")
    assert admissions.floored == 0


def test_charts_for_a_report_stop_at_its_quarter(published: Path, icp_area: Area) -> None:
    charts, _ = summary.indicator_charts(icp_area.code, folder=published, until=date(2025, 6, 30))
    assert charts[0].latest_period == "June 2025" and charts[0].charted == 27


def test_a_practice_with_a_suppressed_month_is_not_on_the_funnel(
    published: Path, icp_area: Area, practice_codes: list[str]
) -> None:
    funnel = summary.practice_funnel(icp_area.code, "emergency_admissions_65", folder=published)
    assert funnel is not None
    plotted = {p.label for p in funnel.points}
    assert practice_codes[-1] not in plotted and practice_codes[-1] in dict(funnel.not_shown)
    assert next(p for p in funnel.points if p.label == practice_codes[0]).position == "above 99.8%"
    assert (funnel.first, funnel.last) == ("April 2025", "March 2026")


def test_no_funnel_for_an_indicator_without_published_practices(tmp_path: Path, icp_area: Area) -> None:
    assert summary.practice_funnel(icp_area.code, "emergency_admissions_65", folder=tmp_path) is None


def test_inequalities_read_the_latest_year_and_the_gap(published: Path, icp_area: Area) -> None:
    found, _ = summary.inequalities(icp_area.code, folder=published)
    admissions = next(entry for entry in found if entry.info.id == "emergency_admissions_65")
    assert admissions.year == "2025/26" and len(admissions.rows) == 5
    assert float(admissions.ratio) > 1.5  # drawn with 1.6 / 0.7 between the ends


def test_quarter_totals_sum_the_published_months(published: Path, icp_area: Area) -> None:
    totals = summary.quarter_totals(icp_area.code, "2026-Q1", folder=published)
    months = pq.read_table(published / "month_icp.parquet").to_pandas()
    chosen = months[(months["indicator"] == "emergency_admissions_65") & (months["period"] >= "2026-01-01")]
    assert totals["emergency_admissions_65"][0] == f"{int(pd.to_numeric(chosen['numerator']).sum()):,}"

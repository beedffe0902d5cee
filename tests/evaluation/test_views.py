"""The evaluation pages for people working in the ICP: SPC charts with icons and the numbers behind
them, practices on a funnel plot, inequalities by quintile, the committee report as HTML and as a
tagged PDF, and CSV downloads of the published (disclosure-controlled) tables."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client
from pypdf import PdfReader

from icp.audit.models import AuditEvent
from icp.partnership.models import Area, User
from icp.partnership.roles import AreaLevel, UserRole

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published")]


def structure_tags(node: Any) -> list[tuple[str, str]]:
    """Every element of a PDF's structure tree: (tag, its /Alt text or "")."""
    node = node.get_object() if hasattr(node, "get_object") else node
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if "/S" in node:
            found.append((str(node["/S"]), str(node.get("/Alt", ""))))
        children = node.get("/K")
        for child in children if isinstance(children, list) else [children] if children is not None else []:
            found += structure_tags(child)
    return found


def test_the_indicators_page_charts_each_indicator_with_its_icons(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    page = logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="icp-spc-chart"') == 2
    assert "Emergency admissions, people aged 65 and over" in html
    # Admissions fell by a quarter for the last nine months: lower is better, so an improvement.
    assert 'aria-label="Special cause variation: improvement (lower values)"' in html
    assert "The numbers behind the chart" in html and "<details" in html
    assert "synthetic data" in html
    assert AuditEvent.objects.filter(
        action="evaluation.view", actor_id=manager.pk, detail__page="indicators"
    ).exists()


def test_someone_from_another_icp_is_refused_and_the_refusal_audited(
    icp_area: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client], other_icp: Area
) -> None:
    outsider = make_user(UserRole.ICP_MANAGER, icp=other_icp.code)
    assert logged_in(outsider).get(f"/evaluation/icp/{icp_area.code}/").status_code == 403
    assert AuditEvent.objects.filter(
        action="evaluation.view", actor_id=outsider.pk, outcome="denied"
    ).exists()


def test_an_analyst_of_the_area_above_sees_its_icps(
    icp_area: Area, make_user: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    lcg = next(a for a in icp_area.ancestors() if a.level == AreaLevel.LCG_AREA)
    analyst = make_user(UserRole.ANALYST, icp=lcg.code)
    assert logged_in(analyst).get(f"/evaluation/icp/{icp_area.code}/inequalities/").status_code == 200


def test_the_funnel_plot_finds_the_outlying_practice_and_lists_the_suppressed_one(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client], practice_codes: list[str]
) -> None:
    page = logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/practices/emergency_admissions_65/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="icp-chart"' in html and "above 99.8%" in html
    assert "Not plotted" in html and "suppressed" in html


def test_an_unknown_indicator_is_not_found(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    assert logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/practices/nonsense/").status_code == 404


def test_the_inequalities_view_shows_each_quintile(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    html = logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/inequalities/").content.decode()
    assert "1 (most deprived)" in html and "5 (least deprived)" in html and "2025/26" in html
    assert "Most deprived to least deprived" in html


def test_the_committee_report_defaults_to_the_last_complete_quarter(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    html = logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/report/").content.decode()
    assert "Evaluation report 2026-Q1" in html and "1 January 2026 to 31 March 2026" in html
    assert "report.pdf?quarter=2026-Q1" in html


def test_the_committee_report_pdf_is_tagged_with_a_language_and_title(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    response = logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/report.pdf?quarter=2025-Q4")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    assert (
        reader.metadata is not None and reader.metadata.title == f"Evaluation report 2025-Q4: {icp_area.name}"
    )
    assert "Emergency admissions" in reader.pages[0].extract_text()
    tags = structure_tags(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/TH", "/Figure"} <= {tag for tag, _alt in tags}
    figures = [alt for tag, alt in tags if tag == "/Figure"]
    assert figures and all(figures), "every chart and icon carries its text alternative"


def test_a_quarter_that_is_not_one_is_not_found(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client]
) -> None:
    assert (
        logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/report/?quarter=2026-Q7").status_code == 404
    )


def test_the_csv_download_is_the_icps_disclosed_rows(
    icp_area: Area, manager: User, logged_in: Callable[[User], Client], published: Path
) -> None:
    response = logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/download/month_practice.csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = pd.read_csv(io.StringIO(response.content.decode()))
    assert set(rows["icp"]) == {icp_area.code}
    suppressed = rows[rows["suppressed"]]
    assert not suppressed.empty and (suppressed["numerator"].isna() | suppressed["denominator"].isna()).all()
    shown = rows.loc[~rows["suppressed"], "numerator"]
    assert ((shown == 0) | ((shown >= 8) & (shown % 5 == 0))).all()
    assert logged_in(manager).get(f"/evaluation/icp/{icp_area.code}/download/patient.csv").status_code == 404

"""Funnel and quintile charts are well-formed SVG with a title and a description in words."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from icp.evaluation import summary
from icp.evaluation.charts import funnel_svg, quintile_svg
from icp.partnership.models import Area

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 (our own drawing, not untrusted input)


def test_the_funnel_names_the_practices_outside_its_limits(
    published: Path, icp_area: Area, practice_codes: list[str]
) -> None:
    funnel = summary.practice_funnel(icp_area.code, "emergency_admissions_65", folder=published)
    assert funnel is not None
    root = parse(funnel_svg(funnel, element_id="f"))
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert f"Outside the 95% limits: {practice_codes[0]}" in description
    assert len(root.findall(f"{SVG}polyline")) == 4  # two limits on each side


def test_the_quintile_chart_describes_every_quintile(published: Path, icp_area: Area) -> None:
    found, _ = summary.inequalities(icp_area.code, folder=published)
    root = parse(quintile_svg(found[0], element_id="q"))
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "1 (most deprived)" in description and "5 (least deprived)" in description
    assert len(root.findall(f"{SVG}rect")) == 1 + 5  # the frame and a bar per quintile

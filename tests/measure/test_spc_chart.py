"""SPC charts as accessible SVG: a title and description a screen reader announces, flags by shape
as well as colour, icons with their meaning in words, and the numbers for the table behind."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

from icp.measure.spc import SpcChart, spc
from icp.measure.spc_chart import assurance_icon_svg, chart_svg, data_rows, describe, variation_icon_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 (our own drawing, not untrusted input)


def _chart() -> SpcChart:
    days = [date(2024, 1, 1) + timedelta(days=30 * n) for n in range(13)]
    return spc(days, [4.8, 5.2] * 6 + [9.0], improvement="down", target=6, baseline=12)


def test_the_chart_is_well_formed_svg_with_a_title_and_description() -> None:
    root = parse(chart_svg(_chart(), title="Falls admissions, 65+", element_id="falls"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "falls-title falls-desc"
    assert root.find(f"{SVG}title").text == "Falls admissions, 65+"  # type: ignore[union-attr]
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "13 points from 2024-01-01" in description and "1 point(s) of concern" in description


def test_a_concern_is_drawn_as_a_square_and_common_cause_as_circles() -> None:
    root = parse(chart_svg(_chart(), title="t"))
    assert len(root.findall(f"{SVG}rect")) == 2  # the plot frame and the one concern
    assert len(root.findall(f"{SVG}circle")) == 12


def test_the_description_names_the_icons_in_words() -> None:
    words = describe(_chart())
    assert "Special cause variation: concern (higher values)" in words
    assert "the process will sometimes meet and sometimes fail the target of 6" in words


def test_the_table_rows_carry_every_number() -> None:
    rows = data_rows(_chart())
    assert len(rows) == 13
    assert (rows[0].date, rows[0].value, rows[0].mean) == ("2024-01-01", "4.8", "5.0")
    assert rows[-1].reading == "concern (Above UCL)"


def test_each_icon_says_what_it_means() -> None:
    for icon in (variation_icon_svg("improvement_low"), assurance_icon_svg("consistent_fail")):
        root = parse(icon)
        assert root.get("aria-label") == root.find(f"{SVG}title").text  # type: ignore[union-attr]
    assert ">L<" in variation_icon_svg("improvement_low") and ">F<" in assurance_icon_svg("consistent_fail")

"""SPC charts as accessible SVG: a title and description a screen reader announces, flags by shape
as well as colour, icons with their meaning in words, and the numbers for the table behind."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

from icp.measure.spc import SpcChart, spc
from icp.measure.spc_chart import (
    assurance_icon_svg,
    chart_svg,
    data_rows,
    date_words,
    describe,
    variation_icon_svg,
)

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
    assert "13 points from 1 Jan 2024 to 26 Dec 2024" in description
    assert "1 point(s) of concern" in description


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
    assert (rows[0].date, rows[0].value, rows[0].mean) == ("1 Jan 2024", "4.8", "5.0")
    assert rows[-1].reading == "concern (Above UCL)"


def test_each_icon_says_what_it_means() -> None:
    for icon in (variation_icon_svg("improvement_low"), assurance_icon_svg("consistent_fail")):
        root = parse(icon)
        assert root.get("aria-label") == root.find(f"{SVG}title").text  # type: ignore[union-attr]
    assert ">L<" in variation_icon_svg("improvement_low") and ">F<" in assurance_icon_svg("consistent_fail")


def _monthly(values: list[float]) -> SpcChart:
    days = [date(2022 + (3 + n) // 12, (3 + n) % 12 + 1, 1) for n in range(len(values))]  # April 2022 on
    return spc(days, values, improvement="down")


def _value_labels(root: ElementTree.Element) -> list[float]:
    """The value axis's labels (drawn left of the plot, right-aligned at x=58)."""
    return [float((t.text or "").replace(",", "")) for t in root.findall(f"{SVG}text") if t.get("x") == "58"]


def test_monthly_dates_are_written_in_words_on_the_axis_and_in_the_table() -> None:
    chart = _monthly([5.0, 6.0] * 24)
    root = parse(chart_svg(chart, title="t"))
    labels = [text.text for text in root.findall(f"{SVG}text")]
    # The first and last months, and each January between them far enough from both.
    assert [label for label in labels if label and label[-4:].isdigit() and " " in label] == [
        "Apr 2022",
        "Jan 2023",
        "Jan 2024",
        "Jan 2025",
        "Mar 2026",
    ]
    assert not any(label and "-" in label and label[:4].isdigit() for label in labels)
    assert data_rows(chart)[0].date == "Apr 2022" and "from Apr 2022 to Mar 2026" in describe(chart)
    assert date_words([date(2025, 4, 1), date(2025, 4, 3)]) == ["1 Apr 2025", "3 Apr 2025"]


def test_a_lower_limit_below_zero_is_drawn_at_zero_and_kept_as_calculated_in_the_numbers() -> None:
    # Small counts that swing widely: the mean less 2.66 mean moving ranges is below zero.
    chart = _monthly([1.0, 9.0, 0.0, 8.0, 2.0, 10.0, 1.0, 7.0, 0.0, 9.0, 3.0, 8.0])
    lower = float(chart.points["lower"].iloc[0])
    assert lower < 0
    floored = parse(chart_svg(chart, title="t", floor=0))
    plain = parse(chart_svg(chart, title="t"))
    # The axis starts at the floor: its lowest label is 0.0, not the negative limit.
    assert min(_value_labels(floored)) == 0.0 and min(_value_labels(plain)) < 0
    description = floored.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "lower process limit is below 0 and drawn at 0" in description
    assert f"process limits {lower:,.1f}" in description  # the limit as calculated
    assert data_rows(chart)[0].lower == f"{lower:,.1f}"
    assert "drawn at" not in (plain.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]

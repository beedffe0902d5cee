"""Observations trended: latest, previous and a small chart with a text alternative."""

from __future__ import annotations

from datetime import date

from icp.sharing.trends import sparkline, trends


def _row(code: str, when: date, value: float | None, unit: str = "mm[Hg]", **extra: str) -> dict:
    return {
        "code_system": "snomed",
        "code": code,
        "display": "Systolic arterial pressure",
        "effective_date": when,
        "value_number": value,
        "value_unit": unit,
        **extra,
    }


def test_readings_group_by_code_newest_first_with_latest_and_previous() -> None:
    rows = [
        _row("72313002", date(2026, 3, 1), 142.0),
        _row("60621009", date(2026, 2, 1), 31.2, "kg/m2", display="Body mass index"),
        _row("72313002", date(2025, 3, 1), 150.0),
        _row("72313002", date(2024, 3, 1), 155.0),
    ]
    systolic, bmi = trends(rows)
    assert systolic.name == "Systolic blood pressure"  # the short name of the code list
    assert systolic.latest.words == "142 mmHg" and systolic.previous is not None
    assert systolic.previous.words == "150 mmHg"
    assert bmi.name == "Body mass index" and bmi.previous is None
    assert str(bmi.chart) == ""  # one reading: nothing to chart
    chart = str(systolic.chart)
    assert chart.startswith("<svg") and 'role="img"' in chart
    assert "3 readings, from 155 mmHg on 1 March 2024 to 142 mmHg on 1 March 2026" in chart
    assert chart.count("<circle") == 3
    assert systolic.span == "142 mmHg to 155 mmHg" and bmi.span == ""


def test_coded_values_are_shown_in_words_and_not_charted() -> None:
    rows = [
        {
            "code_system": "loinc",
            "code": "72166-2",
            "display": "Tobacco smoking status",
            "effective_date": date(2026, 1, 1),
            "value_number": None,
            "value_display": "Ex-smoker",
        }
    ]
    (smoking,) = trends(rows)
    assert smoking.latest.words == "Ex-smoker" and str(smoking.chart) == ""


def test_the_chart_escapes_what_it_is_given() -> None:
    from icp.sharing.trends import Reading

    chart = str(
        sparkline("<b>x</b>", [Reading(date(2026, 1, 2), 2.0, "2"), Reading(date(2026, 1, 1), 1.0, "1")])
    )
    assert "<b>" not in chart and "&lt;b&gt;" in chart

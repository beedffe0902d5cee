"""`icp spc`: a CSV in, the chart's numbers as JSON and the chart as SVG out; bad cells named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from icp.cli import app
from tests.measure.r_random import RRandom

runner = CliRunner()


def write_csv(path: Path, rows: list[tuple[str, str]], header: str = "month,rate") -> Path:
    path.write_text(header + "\n" + "\n".join(f"{d},{v}" for d, v in rows) + "\n", encoding="utf-8")
    return path


def months(count: int) -> list[str]:
    return [f"{2022 + (m // 12)}-{m % 12 + 1:02d}" for m in range(count)]


def test_the_json_has_a_point_per_row_and_the_icons(tmp_path: Path) -> None:
    values = [4.8, 5.2] * 6 + [9.0]
    source = write_csv(tmp_path / "rate.csv", list(zip(months(13), map(str, values), strict=True)))
    out, svg = tmp_path / "spc.json", tmp_path / "spc.svg"
    result = runner.invoke(
        app,
        [
            *(
                "spc",
                str(source),
                "--date",
                "month",
                "--value",
                "rate",
                "--improvement",
                "up",
                "--baseline",
                "12",
            ),
            *("--target", "3", "--json", str(out), "--svg", str(svg)),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["variation"] == "improvement_high" and document["assurance"] == "consistent_pass"
    assert len(document["points"]) == 13
    assert document["points"][0] == {
        "date": "2022-01-01",
        "value": 4.8,
        "mean": pytest.approx(5.0),
        "lower": pytest.approx(5.0 - 2.66 * 0.4),
        "upper": pytest.approx(5.0 + 2.66 * 0.4),
        "special_cause": None,
    }
    assert document["points"][-1]["special_cause"] == "improvement"
    drawing = svg.read_text()
    assert drawing.startswith("<svg") and "<title" in drawing and "<desc" in drawing
    assert "1 point(s) of improvement" in drawing


def test_rebase_dates_split_the_limits(tmp_path: Path) -> None:
    values = RRandom(123).rnorm(24)
    values[12:] = [v + 5 for v in values[12:]]
    source = write_csv(tmp_path / "rate.csv", list(zip(months(24), map(str, values), strict=True)))
    out = tmp_path / "spc.json"
    result = runner.invoke(
        app,
        [
            "spc",
            str(source),
            "--date",
            "month",
            "--value",
            "rate",
            "--rebase",
            "2023-01-01",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    points = json.loads(out.read_text())["points"]
    assert points[0]["mean"] == pytest.approx(sum(values[:12]) / 12)
    assert points[-1]["mean"] == pytest.approx(sum(values[12:]) / 12)


@pytest.mark.parametrize(
    ("rows", "arguments", "message"),
    [
        ([("2024-01", "1")], ["--value", "count"], "no column 'count'"),
        ([("2024-01", "1"), ("2024-02", "many")], [], "line 3, column 'rate': 'many' is not a number"),
        ([("2024-01", "1"), ("2024-13", "2")], [], "line 3, column 'month': '2024-13' is not a date"),
        ([("2024-01", "1"), ("2024-01", "2")], [], "line 3, column 'month': 2024-01-01 is already on line 2"),
        ([("2024-01", "")], [], "line 2, column 'rate': '' is not a number"),
        ([("2024-01", "1")], ["--baseline", "5"], "at least 12"),
        ([("2024-01", "1")], ["--improvement", "sideways"], "expected up, down or neutral"),
    ],
)
def test_bad_input_is_a_clear_error_naming_the_line_and_column(
    tmp_path: Path, rows: list[tuple[str, str]], arguments: list[str], message: str
) -> None:
    source = write_csv(tmp_path / "rate.csv", rows)
    result = runner.invoke(app, ["spc", str(source), "--date", "month", "--value", "rate", *arguments])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["spc", str(tmp_path / "none.csv"), "--date", "d", "--value", "v"])
    assert result.exit_code == 2 and "none.csv" in result.output

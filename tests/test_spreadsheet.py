"""CSV exports cannot carry live spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest

from icp.spreadsheet import csv_lines, safe_cell


@pytest.mark.parametrize(
    ("given", "exported"),
    [
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("  =1+1", "'  =1+1"),  # leading spaces do not stop a formula
        ("\n=1+1", "'\n=1+1"),
        ("|calc", "'|calc"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),  # a full-width equals sign
        (" 42", " 42"),
        ("-1.5", "-1.5"),
        ("Ballymena Health Centre", "Ballymena Health Centre"),
        ("", ""),
        (-3, -3),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_quoted_as_text(given: object, exported: object) -> None:
    assert safe_cell(given) == exported


def test_csv_lines_stream_a_document_with_every_cell_made_safe() -> None:
    text = "".join(csv_lines(["name", "=header"], [["=1+1", 2], ["plain", -0.5]]))
    assert list(csv.reader(io.StringIO(text))) == [["name", "'=header"], ["'=1+1", "2"], ["plain", "-0.5"]]

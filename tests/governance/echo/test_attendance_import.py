"""`icp echo import`: the seed's table reproduces its totals; bad files are refused whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from icp.governance.echo.attendance_import import EchoImportError, load, load_file, load_seed_table
from icp.governance.echo.totals import echo_totals
from icp.governance.models import EchoAggregate, EchoNetwork

HEADER = "network,period_start,period_end,sessions,participants\n"


def test_the_seed_table_reproduces_the_seed_totals(db: None) -> None:
    result = load_seed_table()
    assert result.loaded, result.problems
    totals = echo_totals()
    # Seed 004, Appendix 1: 21 networks; the columns sum to 250 sessions and 7,378 participants.
    assert (len(totals.networks), totals.sessions, totals.participants) == (21, 250, 7378)
    palliative = next(n for n in totals.networks if n.network.name == "Covid-19 Palliative Care Belfast")
    assert (palliative.sessions, palliative.participants) == (65, 106)
    nursing = next(n for n in totals.networks if n.network.name == "Nursing Home Belfast Trust")
    assert (nursing.sessions, nursing.participants) == (34, 1163)


def test_loading_twice_changes_nothing(db: None) -> None:
    load_seed_table()
    second = load_seed_table()
    assert (second.aggregates_created, second.aggregates_updated, second.networks_created) == (0, 21, 0)
    assert EchoAggregate.objects.count() == 21
    assert echo_totals().participants == 7378


def test_totals_over_a_period_count_only_aggregates_wholly_inside_it(db: None) -> None:
    load_seed_table()
    inside = echo_totals(start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert inside.sessions == 250
    straddling = echo_totals(start=date(2020, 6, 1), end=date(2020, 12, 31))
    assert straddling.sessions == 0
    assert all(n.partial_aggregates == 1 for n in straddling.networks)
    before = echo_totals(end=date(2020, 3, 1))
    assert before.sessions == 0 and all(n.partial_aggregates == 0 for n in before.networks)


def test_malformed_rows_are_reported_by_line_and_nothing_is_loaded(db: None) -> None:
    text = (
        HEADER
        + "Good network,2020-03-15,2020-08-15,5,100\n"
        + "Bad date,15/03/2020,2020-08-15,5,100\n"
        + ",2020-03-15,2020-08-15,5,100\n"
        + "Negative,2020-03-15,2020-08-15,-3,100\n"
        + "Backwards,2020-08-15,2020-03-15,1,1\n"
        + "Good network,2020-03-15,2020-08-15,6,101\n"
        + "Too many,2020-03-15,2020-08-15,1,1,surplus\n"
    )
    result = load(text, "bad.csv")
    assert not result.loaded
    found = {(p.line, p.field) for p in result.problems}
    assert found == {
        (3, "period_start"),
        (4, "network"),
        (5, "sessions"),
        (6, "period_end"),
        (7, "network"),
        (8, "(row)"),
    }
    assert "expected a date as YYYY-MM-DD, got '15/03/2020'" in str(result.problems[0])
    assert EchoNetwork.objects.count() == 0 and EchoAggregate.objects.count() == 0


def test_a_wrong_header_is_refused_naming_the_columns(db: None) -> None:
    with pytest.raises(EchoImportError, match=r"missing column.*participants.*unknown column.*people"):
        load("network,period_start,period_end,sessions,people\nA,2020-01-01,2020-02-01,1,1\n", "x.csv")


def test_an_empty_file_is_refused(db: None) -> None:
    assert not load(HEADER, "empty.csv").loaded


def test_thousands_separators_are_read(db: None, tmp_path: Path) -> None:
    path = tmp_path / "echo.csv"
    path.write_text(HEADER + 'Big network,2021-01-01,2021-06-30,12,"1,163"\n', encoding="utf-8")
    result = load_file(path)
    assert result.loaded and result.participants == 1163


def test_a_missing_file_is_an_error_naming_it(db: None, tmp_path: Path) -> None:
    with pytest.raises(EchoImportError, match="no such file"):
        load_file(tmp_path / "absent.csv")

"""`bed_days`: days in hospital (discharge less admission date; same-day spells count 0) of
emergency admissions, in the month of admission, per 1,000 people. Counted by hand from the
admissions world, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # old 3-8 June: 5; turns65 25 June-2 July: 7 (all in June, the month of admission); died 2 June
    # and seventy 18 June, same day: 0; young 12-14 June: 2 and 20-21 June: 1; child 15-16 June: 1.
    # Total 16; not old's elective spell, nor the spell admitted in May.
    # Denominator: everyone alive on 15 June = 5.
    assert indicator_on_engine(admissions_world(), "bed_days", JUNE, excluded=OPTED_OUT) == (16, 5)

"""`emergency_admissions_75`: emergency admissions of people aged 75 and over, per 1,000 people 75
and over. Counted by hand from the admissions world, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: old (85) and died (75 on 2 June) = 2; seventy is 70, turns65 65.
    # Denominator: 75 and over alive on 15 June: old = 1.
    assert indicator_on_engine(admissions_world(), "emergency_admissions_75", JUNE, excluded=OPTED_OUT) == (
        2,
        1,
    )

"""`ae_attendances`: A&E attendances of people of any age, per 1,000 registered people. Counted by
hand from the admissions world, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: old on 5 June, young on 7 and 21 June = 3 (young's 1 July visit is July's).
    # Denominator: everyone alive on 15 June: old, turns65, seventy, young, child = 5.
    assert indicator_on_engine(admissions_world(), "ae_attendances", JUNE, excluded=OPTED_OUT) == (3, 5)

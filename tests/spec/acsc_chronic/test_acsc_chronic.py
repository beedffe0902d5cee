"""`acsc_chronic`: emergency admissions whose primary diagnosis is a chronic ambulatory care
sensitive condition (NHS Outcomes Framework 2.3.i list), per 100,000 people. Counted by hand from
the admissions world, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: old J44.1 (COPD), died I10 (hypertension), young J45.9 (asthma) = 3. Not young's
    # J20.9 (acute bronchitis: the list's J20-with-COPD rule is approximated by leaving J20 out), nor
    # the injuries (S72.0, S52.5, S00.0).
    # Denominator: everyone alive on 15 June = 5.
    assert indicator_on_engine(admissions_world(), "acsc_chronic", JUNE, excluded=OPTED_OUT) == (3, 5)

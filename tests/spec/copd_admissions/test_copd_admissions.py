"""`copd_admissions`: emergency admissions with COPD (ICD-10 J41-J44) as primary diagnosis, people
aged 35 and over, per 100,000. Counted by hand from the admissions world, June 2025, on DuckDB and
on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: old's J44.1 on 3 June = 1 (young's J45.9 asthma and J20.9 bronchitis are not COPD;
    # old's J44.1 elective spell is not an emergency).
    # Denominator: 35 and over on 15 June: old, turns65, seventy, young (35 since 1 January) = 4.
    assert indicator_on_engine(admissions_world(), "copd_admissions", JUNE, excluded=OPTED_OUT) == (1, 4)

"""`copd_admissions`: emergency admissions with COPD as primary diagnosis (ICD-10 J41-J44, J47, or
J20 acute bronchitis with a COPD code beside it: condition (e) of NHS Digital's chronic ACSC
specification), people aged 35 and over, per 100,000. Counted by hand, June 2025, on DuckDB and on
Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world, rules_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: old's J44.1 on 3 June = 1 (young's J45.9 asthma is not COPD and young's J20.9
    # bronchitis has no COPD code beside it; old's J44.1 elective spell is not an emergency).
    # Denominator: 35 and over on 15 June: old, turns65, seventy, young (35 since 1 January) = 4.
    assert indicator_on_engine(admissions_world(), "copd_admissions", JUNE, excluded=OPTED_OUT) == (1, 4)


def test_acute_bronchitis_counts_only_beside_copd(indicator_on_engine: IndicatorOnEngine) -> None:
    # Of the rules world (15 people born in 1950), only bronchitis_copd's J20.9 + J44.9 counts.
    assert indicator_on_engine(rules_world(), "copd_admissions", JUNE) == (1, 15)

"""`acsc_chronic`: emergency admissions whose primary diagnosis is a chronic ambulatory care
sensitive condition, as NHS Digital's specification (CCG OIS 2.6, I00757 v1.15; NHS Outcomes
Framework 2.3.i) lists them, with its rules: acute bronchitis only with COPD, hepatitis B unless
sickle-cell, heart failure and hypertension unless a cardiac procedure, angina unless an operation.
Counted by hand, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world, rules_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: old J44.1 (COPD), died I10 (hypertension, no procedure), young J45.9 (asthma) = 3.
    # Not young's J20.9 (acute bronchitis with no COPD code beside it), nor the injuries.
    # Denominator: everyone alive on 15 June = 5.
    assert indicator_on_engine(admissions_world(), "acsc_chronic", JUNE, excluded=OPTED_OUT) == (3, 5)


def test_the_specifications_rules_code_by_code(indicator_on_engine: IndicatorOnEngine) -> None:
    # Counted: bronchitis_copd, hep_b, failure, failure_renal, angina, angina_x3,
    # diabetes_unspecified, b12_anaemia = 8 of the 15 people alive on 15 June.
    assert indicator_on_engine(rules_world(), "acsc_chronic", JUNE) == (8, 15)

"""`emergency_admissions_65`: emergency admissions of people aged 65 and over (age on the admission
date), per 1,000 people 65 and over alive on the 15th. Counted by hand from the admissions world
(tests/spec/indicator_records.py), June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: old (3 June), turns65 (65 on 25 June, the admission date), died (2 June, before
    # dying), seventy (18 June) = 4; not old's elective spell, nor its May admission.
    # Denominator: 65 and over on 15 June: old and seventy = 2 (turns65 is 64 then; died is dead).
    assert indicator_on_engine(admissions_world(), "emergency_admissions_65", JUNE, excluded=OPTED_OUT) == (
        4,
        2,
    )


def test_a_planning_opt_out_is_left_out_of_both(indicator_on_engine: IndicatorOnEngine) -> None:
    # Counted in, the opted-out 80-year-old adds one admission and one person.
    assert indicator_on_engine(admissions_world(), "emergency_admissions_65", JUNE) == (5, 3)

"""`falls_admissions_65`: emergency admissions of people 65 and over with an injury (S00-T98) as
primary diagnosis and a fall (W00-W19) in any position, per 100,000 people 65 and over. Counted by
hand from the admissions world, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, OPTED_OUT, admissions_world


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Numerator: turns65's S72.0 with W19 (65 on the admission date) = 1. Not died's I10 with W01
    # (the primary diagnosis is not an injury), seventy's S52.5 (no fall code), child's S00.0 with
    # W10 (aged 5).
    # Denominator: 65 and over on 15 June: old and seventy = 2.
    assert indicator_on_engine(admissions_world(), "falls_admissions_65", JUNE, excluded=OPTED_OUT) == (1, 2)

"""`frail_with_care_plan`: of people 65 and over with moderate or severe frailty (eFI above 0.24,
computed by stratify at the latest 31 March), alive at the month's end, the share with a care plan
active on its last day. Counted by hand, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, care_plan, frail
from tests.stratify.builders import Records


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    r = Records()
    d = dt.date
    frail(r, "f1")  # 9 deficits of 36 = 0.25: moderate
    care_plan(r, "f1", "care_plan", d(2025, 3, 1))
    frail(r, "f2")  # moderate, no plan
    frail(r, "f3", deficits=2)  # fit, with a plan: not in the denominator
    care_plan(r, "f3", "care_plan", d(2025, 3, 1))
    frail(r, "f4", born=d(1965, 1, 1))  # 60: the eFI is not computed under 65
    care_plan(r, "f4", "care_plan", d(2025, 3, 1))
    frail(r, "f5")  # moderate, plan ended in mid June
    care_plan(r, "f5", "care_plan", d(2025, 3, 1), ended=d(2025, 6, 15))
    frail(r, "f6", deficits=14)  # 14 of 36 = 0.39: severe, with an advance care plan only
    care_plan(r, "f6", "advance_care_plan", d(2025, 3, 1))
    # 8 coded deficits and 5 medicines in the year to 31 March 2025 (polypharmacy, the 9th): 0.25,
    # moderate, with a plan. 7 coded deficits and polypharmacy: 8 of 36 = 0.22, mild: not counted.
    frail(r, "f7", deficits=8)
    frail(r, "f8", deficits=7)
    for person in ("f7", "f8"):
        care_plan(r, person, "care_plan", d(2025, 3, 1))
        for number in range(5):
            r.medicine(person, f"3{number}0000", d(2024, 6, 1))
    # Denominator: f1, f2, f5, f6, f7 = 5; numerator: f1, f7 = 2.
    assert indicator_on_engine(r, "frail_with_care_plan", JUNE) == (2, 5)

"""`eol_with_acp`: of people on the palliative care register at the latest 31 March (stratify's own
register), alive at the month's end, the share with an advance care plan made by then and not
ended. Counted by hand, June 2025 (register as at 31 March 2025), on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, care_plan
from tests.stratify.builders import Records

# A palliative care register code (PALCARE_COD, stratify/codelists/registers.csv).
PALLIATIVE = "1025611000000105"


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    r = Records()
    d = dt.date
    for person in ("e1", "e2", "e3", "e4", "e5", "e6", "e7"):
        r.person(person, born=d(1940, 1, 1), died=d(2025, 6, 20) if person == "e6" else None)
    for person in ("e1", "e2", "e3", "e4", "e6"):
        r.code(person, PALLIATIVE, d(2024, 1, 1))
    r.code("e5", PALLIATIVE, d(2025, 4, 15))  # after 31 March: not on the register June reads
    care_plan(r, "e1", "advance_care_plan", d(2025, 5, 1))  # counts
    care_plan(r, "e2", "care_plan", d(2025, 5, 1))  # a care plan, not an advance care plan
    care_plan(r, "e3", "advance_care_plan", d(2025, 7, 1))  # made after June
    care_plan(r, "e4", "advance_care_plan", d(2025, 1, 1), ended=d(2025, 6, 1))  # ended in June
    care_plan(r, "e6", "advance_care_plan", d(2025, 2, 1))  # died before the month's end
    care_plan(r, "e7", "advance_care_plan", d(2025, 2, 1))  # not on the register
    # Denominator: e1, e2, e3, e4 = 4; numerator: e1 = 1.
    assert indicator_on_engine(r, "eol_with_acp", JUNE) == (1, 4)

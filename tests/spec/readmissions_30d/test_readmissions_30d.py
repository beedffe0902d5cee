"""`readmissions_30d`: of spells ending in a live discharge in the month, the share followed by an
emergency admission 0 to 29 days after the discharge date; cancer and obstetric spells excluded as
index spells and as readmissions (NHS Digital I02040). Counted by hand, May 2025 (June measured
too, so that May's discharges have their 30 days), on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, MAY, spell
from tests.stratify.builders import Records


def world() -> Records:
    r = Records()
    for person in ("q1", "q2", "q3", "q4", "q5", "q6"):
        r.person(person, born=dt.date(1950, 1, 1), died=dt.date(2025, 5, 15) if person == "q3" else None)
    may = lambda day: dt.date(2025, 5, day)  # noqa: E731
    spell(r, "q1", may(1), may(5), method="elective", diagnoses=("I10",))
    spell(r, "q1", may(20), may(22), diagnoses=("J18.9",))  # 15 days after: a readmission
    spell(r, "q2", may(2), may(3), method="elective", diagnoses=("I10",))
    spell(r, "q2", dt.date(2025, 6, 2), dt.date(2025, 6, 3), diagnoses=("J18.9",))  # 30 days: too late
    spell(r, "q3", may(10), may(15), diagnoses=("I21.9",))  # died on the day of discharge
    spell(r, "q4", may(6), may(8), diagnoses=("C50.9",))  # cancer: not an index spell
    spell(r, "q4", may(12), may(13), diagnoses=("J18.9",))
    spell(r, "q5", may(4), may(6), method="elective", diagnoses=("M17.1",))
    spell(r, "q5", may(6), may(8), diagnoses=("T81.4",))  # the same day: day 0 counts
    spell(r, "q6", may(1), may(2), method="elective", diagnoses=("I10",))
    spell(r, "q6", may(10), may(11), diagnoses=("O80",))  # obstetric: not a readmission
    return r


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # May's index spells (live discharges, not cancer or obstetric): q1 on 5 May (readmitted 20 May),
    # q1 on 22 May, q2 on 3 May (the next admission is 30 days later), q4 on 13 May, q5 on 6 May
    # (readmitted the same day), q5 on 8 May, q6 on 2 May (its 10 May spell is obstetric) = 7;
    # readmitted: 2. q3 died on discharge; q4's cancer spell is excluded.
    assert indicator_on_engine(world(), "readmissions_30d", MAY, months=(MAY, JUNE)) == (2, 7)

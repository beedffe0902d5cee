"""`readmissions_30d`: of spells ending in a live discharge in the month, the share followed by an
emergency admission 0 to 29 days after the discharge date; cancer and obstetric spells excluded as
index spells and as readmissions (NHS Digital I02040). Counted by hand, May 2025 (June measured
too, so that May's discharges have their 30 days), on DuckDB and on Spark. A month is reported
only once the records follow its last discharge for the 30 days: until then it is left out whole,
never counted short."""

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


def last_days() -> Records:
    """Discharges late in May and late in June, each readmitted 29 days later (day 29 counts)."""
    r = Records()
    for person in ("r1", "r2", "r3"):
        r.person(person, born=dt.date(1950, 1, 1))
    spell(r, "r1", dt.date(2025, 5, 28), dt.date(2025, 5, 31), method="elective", diagnoses=("I10",))
    spell(r, "r1", dt.date(2025, 6, 29), dt.date(2025, 7, 1), diagnoses=("J18.9",))
    spell(r, "r2", dt.date(2025, 5, 20), dt.date(2025, 5, 25), method="elective", diagnoses=("M17.1",))
    spell(r, "r3", dt.date(2025, 6, 27), dt.date(2025, 6, 30), method="elective", diagnoses=("I10",))
    spell(r, "r3", dt.date(2025, 7, 29), dt.date(2025, 7, 30), diagnoses=("J18.9",))
    return r


def test_the_last_discharges_of_a_month_count_once_their_30_days_are_in_the_records(
    indicator_on_engine: IndicatorOnEngine,
) -> None:
    # Records to 30 June: May's discharges (r1 on 31 May, readmitted on 29 June, day 29; r2 on
    # 25 May, not readmitted) are all followed to day 29, so May is 1 readmitted of 2. June's last
    # discharge (r3 on 30 June) would need the records to 29 July: June is not reported at all.
    def measured(month: dt.date, records_end: dt.date) -> tuple[float, float] | None:
        return indicator_on_engine(
            last_days(), "readmissions_30d", month, months=(MAY, JUNE), data_end=records_end
        )

    assert measured(MAY, dt.date(2025, 6, 30)) == (1, 2)
    assert measured(JUNE, dt.date(2025, 6, 30)) is None
    # Records to 29 July: June's one discharge is followed to its day 29 and was readmitted on it.
    assert measured(JUNE, dt.date(2025, 7, 29)) == (1, 1)

"""`bed_days`: the nights emergency admissions occupy a bed in each month, per 1,000 people. A night
belongs to the day it begins (a bed is counted occupied at midnight): a stay occupies the nights
from its admission day to the day before discharge, a same-day stay none, and a stay spanning
months splits its nights across them. Counted by hand, rule by rule, on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, MAY, OPTED_OUT, admissions_world, spell
from tests.stratify.builders import Records

JULY = dt.date(2025, 7, 1)
AUGUST = dt.date(2025, 8, 1)


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # June's nights: old 3-8 June 5, and 1 June of the stay admitted 31 May (31 May is May's);
    # turns65 25 June-2 July 6 (25-30 June; 1 July is July's); died 2 June and seventy 18 June,
    # same day, 0; young 12-14 June 2 and 20-21 June 1; child 15-16 June 1. Not old's elective
    # spell, nor the opted-out person's. Total 16. Denominator: everyone alive on 15 June = 5.
    assert indicator_on_engine(admissions_world(), "bed_days", JUNE, excluded=OPTED_OUT) == (16, 5)


def test_a_stay_spanning_months_splits_its_nights_across_them(indicator_on_engine: IndicatorOnEngine) -> None:
    # The same world over May to July: May has old's night of 31 May, July turns65's night of
    # 1 July; the three months together hold every night of every emergency stay once (5 + 2 + 7
    # + 3 + 1 = 18 nights), none counted twice and none lost at a month's edge.
    world = admissions_world()
    run = {"months": (MAY, JULY), "excluded": OPTED_OUT}
    may = indicator_on_engine(world, "bed_days", MAY, **run)
    june = indicator_on_engine(world, "bed_days", JUNE, **run)
    july = indicator_on_engine(world, "bed_days", JULY, **run)
    assert may is not None and june is not None and july is not None
    assert (may[0], june[0], july[0]) == (1, 16, 1)


def test_a_long_stay_counts_every_night_in_each_month_it_spans(
    indicator_on_engine: IndicatorOnEngine,
) -> None:
    # Admitted 20 May, before the months measured, discharged 10 August: 30 nights in June (all),
    # 31 in July (all), 9 in August (1-9; the 10th is the day of discharge).
    r = Records()
    r.person("long", born=dt.date(1940, 1, 1))
    spell(r, "long", dt.date(2025, 5, 20), dt.date(2025, 8, 10), diagnoses=("J44.1",))
    run = {"months": (JUNE, AUGUST)}
    counted = [indicator_on_engine(r, "bed_days", month, **run) for month in (JUNE, JULY, AUGUST)]
    assert [found[0] if found else None for found in counted] == [30, 31, 9]


def test_a_stay_not_yet_discharged_counts_its_nights_to_the_records_last_day(
    indicator_on_engine: IndicatorOnEngine,
) -> None:
    # Admitted 28 June and still in hospital when the records end on 31 July: 3 nights in June
    # (28-30) and all 31 of July's, the last night that of 31 July. An elective stay and a stay
    # whose discharge comes before its admission (a recording error) count none.
    r = Records()
    r.person("inpatient", born=dt.date(1940, 1, 1))
    spell(r, "inpatient", dt.date(2025, 6, 28), dt.date(2025, 6, 28), diagnoses=("J44.1",))
    r.rows["encounter"][-1]["end_date"] = None
    spell(r, "inpatient", dt.date(2025, 6, 1), dt.date(2025, 6, 9), method="elective")
    spell(r, "inpatient", dt.date(2025, 6, 20), dt.date(2025, 6, 10), diagnoses=("J44.1",))
    run = {"months": (JUNE, JULY), "data_end": dt.date(2025, 7, 31)}
    june = indicator_on_engine(r, "bed_days", JUNE, **run)
    july = indicator_on_engine(r, "bed_days", JULY, **run)
    assert june == (3, 1) and july == (31, 1)

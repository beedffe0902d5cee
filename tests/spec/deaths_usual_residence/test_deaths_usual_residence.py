"""`deaths_usual_residence`: of deaths in the month, the share at home or in a care home. Counted by
hand, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, death
from tests.stratify.builders import Records


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    r = Records()
    places = {
        "d1": (dt.date(2025, 6, 3), "home"),
        "d2": (dt.date(2025, 6, 10), "care_home"),
        "d3": (dt.date(2025, 6, 12), "hospital"),
        "d4": (dt.date(2025, 6, 20), "hospice"),  # a hospice is not the usual place of residence
        "d5": (dt.date(2025, 5, 30), "home"),  # May's
        "d6": (dt.date(2025, 6, 25), "other"),
    }
    for person, (day, place) in places.items():
        r.person(person, born=dt.date(1935, 1, 1), died=day)
        death(r, person, day, place)
    # Numerator: d1 (home), d2 (care home) = 2; denominator: June's deaths d1, d2, d3, d4, d6 = 5.
    assert indicator_on_engine(r, "deaths_usual_residence", JUNE) == (2, 5)

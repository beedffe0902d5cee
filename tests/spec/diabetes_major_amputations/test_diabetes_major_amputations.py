"""`diabetes_major_amputations`: major lower-limb amputations (the list's OPCS-4 X09 codes: above the
ankle; X10 is the foot) of people on the diabetes register, over the 36 months ending with the
month, per person-year of the register (the average monthly register over the 36 months, times
three). Counted by hand, March 2026 (36 months from April 2023), on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt

from tests.spec.conftest import IndicatorOnEngine
from tests.stratify.builders import Records

DIABETES = "111552007"  # Diabetes mellitus without complication: on DM_COD (registers.csv)
MARCH_2026 = dt.date(2026, 3, 1)


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    r = Records()
    d = dt.date
    for person in ("a1", "a2", "a3"):
        r.person(person, born=d(1950, 1, 1))
        r.code(person, DIABETES, d(2015, 1, 1))
    r.person("no_diabetes", born=d(1950, 1, 1))
    r.code("a1", "X09.3", d(2025, 6, 1), system="opcs4", table="procedure")  # above knee: major
    r.code("a2", "X09.5", d(2023, 5, 1), system="opcs4", table="procedure")  # below knee: major
    r.code("a3", "X10.1", d(2025, 6, 1), system="opcs4", table="procedure")  # through the ankle: minor
    r.code("no_diabetes", "X09.3", d(2025, 6, 1), system="opcs4", table="procedure")
    numerator, person_years = indicator_on_engine(
        r, "diabetes_major_amputations", MARCH_2026, months=(d(2023, 4, 1), MARCH_2026)
    )
    # Numerator: a1 (June 2025) and a2 (May 2023), both within April 2023 - March 2026 = 2.
    # Denominator: three people on the register every month: an average of 3, times 3 years = 9.
    assert (numerator, person_years) == (2, 9)
